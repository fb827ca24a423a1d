import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn, epochMsTransformer } from '../database/columns.js';

/**
 * A registered network poller (SPEC §4): bound to the poller token it first registered with, checking
 * the monitors assigned to it as the source `poller:<id>`. Liveness comes from `last_seen_at` (any request
 * with its token); `offline` is the judged state alerts were sent for, kept so a restart does not repeat them.
 */
@Entity({ name: 'pollers' })
export class Poller {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_pollers' })
  id!: number;

  @Index('IDX_pollers_name', { unique: true })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  location!: string;

  /** The poller token it registered with; a token registers one poller only. */
  @Index('IDX_pollers_token', { unique: true })
  @Column({ name: 'token_id', type: 'integer' })
  tokenId!: number;

  /** The executable's version, as it last registered. */
  @Column({ type: 'varchar', length: 64, default: '' })
  version!: string;

  /** Alert channel names for its offline / back-online alerts ([] = the default channels). */
  @Column({ type: 'simple-json' })
  alerts!: string[];

  @Column({ type: 'boolean', default: false })
  offline!: boolean;

  @EpochMsColumn({ name: 'last_seen_at', nullable: true })
  lastSeenAt!: number | null;

  /** When it last went offline or came back. */
  @EpochMsColumn({ name: 'state_changed_at', nullable: true })
  stateChangedAt!: number | null;

  /** Its outbox as it last reported: results waiting to be sent, and dropped since its outbox was made. */
  @Column({ name: 'outbox_queued', type: 'bigint', default: 0, transformer: epochMsTransformer })
  outboxQueued!: number;

  @Column({ name: 'outbox_dropped', type: 'bigint', default: 0, transformer: epochMsTransformer })
  outboxDropped!: number;

  @EpochMsColumn({ name: 'outbox_reported_at', nullable: true })
  outboxReportedAt!: number | null;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochMsColumn({ name: 'updated_at' })
  updatedAt!: number;
}
