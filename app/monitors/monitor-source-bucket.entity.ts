import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../database/columns.js';
import type { BucketPeriod } from './monitor-bucket.entity.js';

const double = (name: string, nullable = false) => ({
  name,
  type: 'double precision' as const,
  nullable,
  ...(nullable ? {} : { default: 0 }),
  transformer: epochMsTransformer,
});

/**
 * Checks and latency of one source of a monitor (`public`, `poller:<id>`) over one minute or hour,
 * written with the results: the monitor page's latency chart draws one line per source from here, never
 * from raw results. (Uptime is the monitor's, in monitor_buckets: it follows the aggregate state.)
 */
@Entity({ name: 'monitor_source_buckets' })
@Index('IDX_monitor_source_buckets_period_start', ['period', 'bucketStart'])
export class MonitorSourceBucket {
  @PrimaryColumn({ name: 'monitor_id', type: 'integer', primaryKeyConstraintName: 'PK_monitor_source_buckets' })
  monitorId!: number;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_monitor_source_buckets' })
  source!: string;

  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: 'PK_monitor_source_buckets' })
  period!: BucketPeriod;

  @PrimaryColumn({
    name: 'bucket_start',
    type: 'bigint',
    primaryKeyConstraintName: 'PK_monitor_source_buckets',
    transformer: epochMsTransformer,
  })
  bucketStart!: number;

  @Column({ type: 'integer', default: 0 }) checks!: number;
  @Column({ name: 'down_checks', type: 'integer', default: 0 }) downChecks!: number;
  @Column({ name: 'latency_count', type: 'integer', default: 0 }) latencyCount!: number;
  @Column(double('latency_sum_ms')) latencySumMs!: number;
  @Column(double('latency_min_ms', true)) latencyMinMs!: number | null;
  @Column(double('latency_max_ms', true)) latencyMaxMs!: number | null;
}
