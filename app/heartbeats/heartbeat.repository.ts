import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { deleteByName, upsertByName } from '../database/rows-by-name.js';
import { HeartbeatInboxRow } from './heartbeat-inbox.entity.js';
import { HeartbeatServiceEntity } from './heartbeat-service.entity.js';

/** Rows per statement: well under PostgreSQL's bound-parameter limit. */
const CHUNK = 500;

/** Heartbeat services and the inbox of commands forwarded between servers: the only place that touches their tables. */
@Injectable()
export class HeartbeatRepository {
  constructor(private readonly dataSource: DataSource) {}

  loadServices(): Promise<HeartbeatServiceEntity[]> {
    return this.dataSource.getRepository(HeartbeatServiceEntity).find();
  }

  async loadByNames(names: readonly string[]): Promise<HeartbeatServiceEntity[]> {
    const rows: HeartbeatServiceEntity[] = [];
    for (let start = 0; start < names.length; start += CHUNK)
      rows.push(...(await this.dataSource.getRepository(HeartbeatServiceEntity).findBy({ name: In(names.slice(start, start + CHUNK)) })));
    return rows;
  }

  /** One transaction: the changed rows upserted, the deleted ones removed. */
  async saveBatch(services: HeartbeatServiceEntity[], deleted: string[]): Promise<void> {
    await this.dataSource.transaction((manager) => this.saveIn(manager, services, deleted));
  }

  async saveIn(manager: EntityManager, services: HeartbeatServiceEntity[], deleted: string[]): Promise<void> {
    await upsertByName(manager, HeartbeatServiceEntity, services);
    await deleteByName(manager, HeartbeatServiceEntity, deleted);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Commands for services another server decides, kept until it applies them. */
  async addToInbox(manager: EntityManager, rows: HeartbeatInboxRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += CHUNK)
      await manager.getRepository(HeartbeatInboxRow).insert(rows.slice(start, start + CHUNK));
  }

  /**
   * Takes the waiting commands of these shards out of the inbox, oldest first, within the caller's
   * transaction (the deciding server saves their effect in the same one, so a crash loses none and
   * applies none twice). Rows another transaction is taking are skipped.
   */
  async takeFromInbox(manager: EntityManager, shards: readonly number[], limit: number): Promise<HeartbeatInboxRow[]> {
    if (shards.length === 0) return [];
    const rows = (await manager.query(
      `DELETE FROM "heartbeat_inbox" WHERE "id" IN (SELECT "id" FROM "heartbeat_inbox" WHERE "shard" = ANY($1::integer[]) ` +
        `ORDER BY "id" LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING *`,
      [shards, limit],
    )) as [Record<string, unknown>[], number] | Record<string, unknown>[];
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Record<string, unknown>[];
    return list
      .map((raw) => ({
        id: String(raw.id),
        shard: Number(raw.shard),
        name: String(raw.name),
        command: String(raw.command),
        at: Number(raw.at),
        firstAt: Number(raw.first_at),
        count: Number(raw.count),
        timeoutMs: raw.timeout_ms === null ? null : Number(raw.timeout_ms),
        minIntervalMs: raw.min_interval_ms === null ? null : Number(raw.min_interval_ms),
        transport: String(raw.transport),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
