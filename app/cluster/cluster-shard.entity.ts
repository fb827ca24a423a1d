import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/** One shard's lease: who decides for it and until when; `epoch` grows with every new holder (the fencing token). */
@Entity({ name: 'cluster_shards' })
export class ClusterShardRow {
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_cluster_shards' })
  shard!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  owner!: string | null;

  @EpochMsColumn({ name: 'epoch' })
  epoch!: number;

  /** By the database's clock. */
  @EpochMsColumn({ name: 'lease_until' })
  leaseUntil!: number;
}
