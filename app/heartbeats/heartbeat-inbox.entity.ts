import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../database/columns.js';

const MS = { type: 'bigint', transformer: epochMsTransformer } as const;

/**
 * A heartbeat command a server took for a service another server decides for (several servers on one
 * PostgreSQL): kept here until the deciding server applies it, in the same transaction that saves the
 * service. The sender acknowledges an HTTP beat once its row is committed, so a crash of either server
 * loses none.
 */
@Entity({ name: 'heartbeat_inbox' })
@Index('IDX_heartbeat_inbox_shard', ['shard', 'id'])
export class HeartbeatInboxRow {
  /**
   * `<at, 15 digits>-<server>-<sequence>`, made by the sending server: ordering by id orders by when the
   * commands were taken (a sequence of the database's own would be a 32-bit SERIAL on one dialect).
   */
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_heartbeat_inbox' })
  id!: string;

  @Column({ type: 'integer' })
  shard!: number;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** `beat`, `config` (timeout or min_interval without a beat), `start`, `fail`, `mute`, `unmute`, `delete`. */
  @Column({ type: 'varchar', length: 16 })
  command!: string;

  /** When the sending server took it (epoch ms); for coalesced beats, the last one. */
  @Column({ ...MS })
  at!: number;

  /** Coalesced beats: the first one's time, and how many. */
  @Column({ ...MS, name: 'first_at' })
  firstAt!: number;

  @Column({ type: 'integer', default: 1 })
  count!: number;

  @Column({ ...MS, name: 'timeout_ms', nullable: true })
  timeoutMs!: number | null;

  @Column({ ...MS, name: 'min_interval_ms', nullable: true })
  minIntervalMs!: number | null;

  @Column({ type: 'varchar', length: 8 })
  transport!: string;
}
