import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../database/columns.js';

export type AgentBucketPeriod = 'minute' | 'hour';

/**
 * One metric of one agent over a minute or an hour, added to as reports arrive: history is read from
 * here, never from raw samples. `series` tells the rows of a list apart (the mount of a disk, the interface
 * of a network card); '' for a plain metric.
 */
@Entity({ name: 'agent_buckets' })
@Index('IDX_agent_buckets_period_start', ['period', 'bucketStart'])
export class AgentBucket {
  @PrimaryColumn({ name: 'agent_id', type: 'integer', primaryKeyConstraintName: 'PK_agent_buckets' })
  agentId!: number;

  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: 'PK_agent_buckets' })
  period!: AgentBucketPeriod;

  @PrimaryColumn({ name: 'bucket_start', type: 'bigint', primaryKeyConstraintName: 'PK_agent_buckets', transformer: epochMsTransformer })
  bucketStart!: number;

  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_agent_buckets' })
  metric!: string;

  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'PK_agent_buckets' })
  series!: string;

  @Column({ type: 'integer', default: 0 })
  samples!: number;

  @Column({ type: 'double precision', default: 0, transformer: epochMsTransformer })
  sum!: number;

  @Column({ type: 'double precision', nullable: true, transformer: epochMsTransformer })
  max!: number | null;
}
