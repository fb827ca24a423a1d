import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../database/columns.js';
import type { CheckResultStatus } from './monitor-source.entity.js';

/**
 * One result of one source, kept `[results] retention_days`. The key (monitor, time, source) doubles as the
 * index for a monitor's history, and makes a result re-sent by a poller after a network failure a no-op.
 */
@Entity({ name: 'check_results' })
export class CheckResultRow {
  @PrimaryColumn({ name: 'monitor_id', type: 'integer', primaryKeyConstraintName: 'PK_check_results' })
  monitorId!: number;

  @Index('IDX_check_results_checked_at')
  @PrimaryColumn({ name: 'checked_at', type: 'bigint', primaryKeyConstraintName: 'PK_check_results', transformer: epochMsTransformer })
  checkedAt!: number;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_check_results' })
  source!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CheckResultStatus;

  @Column({ name: 'latency_ms', type: 'double precision', nullable: true, transformer: epochMsTransformer })
  latencyMs!: number | null;

  @Column({ type: 'text' })
  message!: string;

  /** The plugin's details as JSON text, or null. */
  @Column({ type: 'text', nullable: true })
  details!: string | null;
}
