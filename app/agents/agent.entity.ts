import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

export const AGENT_STATES = ['ok', 'warning', 'down', 'maintenance'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/**
 * A host that reports metrics (SPEC §5). It comes into being with the first report of an agent token and
 * stays bound to that token. The in-memory runtime decides its state; this row is the durable record,
 * written with every batch of reports.
 */
@Entity({ name: 'agents' })
export class AgentRow {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_agents' })
  id!: number;

  /** The agent token it reports with: one agent per token. */
  @Index('IDX_agents_token', { unique: true })
  @Column({ name: 'token_id', type: 'integer' })
  tokenId!: number;

  /** How people call it; the host name until someone renames it. */
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The host name its reports carry: a report from another host with this token is refused. */
  @Column({ type: 'varchar', length: 255 })
  hostname!: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  os!: string;

  /** Seconds between its reports, as it says; silent for 3 of them → down. */
  @Column({ name: 'interval_s', type: 'integer', default: 30 })
  intervalS!: number;

  /** Threshold overrides (only what differs from the defaults). */
  @Column({ type: 'simple-json' })
  thresholds!: Record<string, number>;

  /** Alert channel names; none = the default channels. */
  @Column({ type: 'simple-json' })
  alerts!: string[];

  @Index('IDX_agents_status')
  @Column({ type: 'varchar', length: 16, default: 'ok' })
  status!: AgentState;

  /** Why, in words: `disk /var 93 % > 90 %`, `no report for 95 s`. */
  @Column({ name: 'status_reason', type: 'text', default: '' })
  statusReason!: string;

  @EpochMsColumn({ name: 'status_since', nullable: true })
  statusSince!: number | null;

  /** The server's clock when the latest report arrived: liveness is judged from it. */
  @EpochMsColumn({ name: 'last_seen_at', nullable: true })
  lastSeenAt!: number | null;

  /** The newest sample's collected_at, by the agent's clock. */
  @EpochMsColumn({ name: 'last_collected_at', nullable: true })
  lastCollectedAt!: number | null;

  /** The agent's clock minus the server's (ms): positive when the agent is ahead. */
  @Column({ name: 'clock_skew_ms', type: 'integer', nullable: true })
  clockSkewMs!: number | null;

  /** The newest sample as it was reported (JSON), for the agent page. */
  @Column({ type: 'text', nullable: true })
  latest!: string | null;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochMsColumn({ name: 'updated_at' })
  updatedAt!: number;
}
