import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../database/columns.js';

export type BucketPeriod = 'minute' | 'hour';

const bigint = (name: string) => ({ name, type: 'bigint' as const, default: 0, transformer: epochMsTransformer });
const double = (name: string, nullable = false) => ({
  name,
  type: 'double precision' as const,
  nullable,
  ...(nullable ? {} : { default: 0 }),
  transformer: epochMsTransformer,
});

/**
 * Uptime and latency of one monitor over one minute or hour, written at check time: the time spent in each
 * state (time-weighted uptime) and latency figures. Uptime and history are read from here, never from raw results.
 */
@Entity({ name: 'monitor_buckets' })
@Index('IDX_monitor_buckets_period_start', ['period', 'bucketStart'])
export class MonitorBucket {
  @PrimaryColumn({ name: 'monitor_id', type: 'integer', primaryKeyConstraintName: 'PK_monitor_buckets' })
  monitorId!: number;

  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: 'PK_monitor_buckets' })
  period!: BucketPeriod;

  @PrimaryColumn({ name: 'bucket_start', type: 'bigint', primaryKeyConstraintName: 'PK_monitor_buckets', transformer: epochMsTransformer })
  bucketStart!: number;

  @Column(bigint('up_ms')) upMs!: number;
  @Column(bigint('warning_ms')) warningMs!: number;
  @Column(bigint('down_ms')) downMs!: number;
  /** Time inside maintenance windows: excluded from uptime. */
  @Column(bigint('maintenance_ms')) maintenanceMs!: number;

  @Column({ type: 'integer', default: 0 }) checks!: number;
  @Column({ name: 'down_checks', type: 'integer', default: 0 }) downChecks!: number;
  @Column({ name: 'latency_count', type: 'integer', default: 0 }) latencyCount!: number;
  @Column(double('latency_sum_ms')) latencySumMs!: number;
  @Column(double('latency_min_ms', true)) latencyMinMs!: number | null;
  @Column(double('latency_max_ms', true)) latencyMaxMs!: number | null;
  /** 95th percentile of the latencies seen in this bucket (of those since a restart, if one fell inside it). */
  @Column(double('latency_p95_ms', true)) latencyP95Ms!: number | null;
}
