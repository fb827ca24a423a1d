import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/**
 * One Pulse server process of the installation (SPEC §12): written when it starts, its `heard_at` moved on
 * with every lease renewal, `stopped_at` set when it stops cleanly. On SQLite the one row says which
 * process uses the file, so a second server on the same file is refused.
 */
@Entity({ name: 'cluster_servers' })
export class ClusterServerRow {
  /** Made fresh by every start: a restarted server is a new member. */
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_cluster_servers' })
  id!: string;

  /** `[cluster] name`, or the host name. */
  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 255 })
  host!: string;

  @Column({ type: 'integer' })
  pid!: number;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  /** The HTTP address it listens at, as configured (`[http] listen`). */
  @Column({ type: 'varchar', length: 255 })
  address!: string;

  /** The key of the advisory lock its connection holds while it lives (PostgreSQL). */
  @Column({ name: 'lock_key', type: 'integer' })
  lockKey!: number;

  @EpochMsColumn({ name: 'started_at' })
  startedAt!: number;

  /** Last renewal, by the database's clock (PostgreSQL) or the server's (SQLite). */
  @EpochMsColumn({ name: 'heard_at' })
  heardAt!: number;

  @EpochMsColumn({ name: 'stopped_at', nullable: true })
  stoppedAt!: number | null;

  /** JSON: what it did at its last renewal (`{"monitors": 40, "services": 1200, …}`). */
  @Column({ type: 'text' })
  work!: string;
}
