import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochMsColumn, epochMsTransformer } from '../database/columns.js';

export type CheckResultStatus = 'up' | 'down' | 'warning';

/** The latest result of each source of a monitor: `public` (this server) or `poller:<id>`. */
@Entity({ name: 'monitor_sources' })
export class MonitorSource {
  @PrimaryColumn({ name: 'monitor_id', type: 'integer', primaryKeyConstraintName: 'PK_monitor_sources' })
  monitorId!: number;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_monitor_sources' })
  source!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CheckResultStatus;

  @Column({ name: 'latency_ms', type: 'double precision', nullable: true, transformer: epochMsTransformer })
  latencyMs!: number | null;

  @Column({ type: 'text' })
  message!: string;

  @EpochMsColumn({ name: 'checked_at' })
  checkedAt!: number;
}
