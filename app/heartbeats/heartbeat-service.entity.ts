import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochMsColumn, epochMsTransformer } from '../database/columns.js';

const MS = { type: 'bigint', transformer: epochMsTransformer } as const;

/**
 * A heartbeat service as saved by the state engine (the in-memory record is authoritative while running;
 * this row is what a restart starts from). Histories are small JSON arrays: one row per service keeps a
 * batched save to one upsert per changed service.
 */
@Entity({ name: 'heartbeat_services' })
export class HeartbeatServiceEntity {
  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'PK_heartbeat_services' })
  name!: string;

  /** ms; -1 none, -2 automatic. */
  @Column({ ...MS, name: 'timeout_ms' })
  timeoutMs!: number;

  /** ms; -1 when beats may come as often as they like. */
  @Column({ ...MS, name: 'min_interval_ms' })
  minIntervalMs!: number;

  /** Epoch ms of the last beat, -1 never. */
  @Column({ ...MS, name: 'last_beat' })
  lastBeat!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: string;

  /** Why the service is in error although its deadline has not passed: `failed` or `too_often`. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  problem!: string | null;

  @EpochMsColumn({ name: 'muted_since', nullable: true })
  mutedSince!: number | null;

  @EpochMsColumn({ name: 'last_state_change' })
  lastStateChange!: number;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  /** JSON: epoch ms of the last 21 recorded beats, oldest first (their gaps are the 20 intervals). */
  @Column({ type: 'text' })
  beats!: string;

  @EpochMsColumn({ name: 'run_started_at', nullable: true })
  runStartedAt!: number | null;

  /** JSON: the last runs (`.start` … beat or `.fail`), oldest first. */
  @Column({ type: 'text' })
  runs!: string;

  /** When a maintenance window covering the service ended: its deadline counts from then, not from the last beat (-1: none). */
  @Column({ ...MS, name: 'deadline_restarted_at', default: -1 })
  deadlineRestartedAt!: number;
}
