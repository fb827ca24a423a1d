import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { ClusterConnection, SESSION_LOCK_NAMESPACE } from './cluster-connection.js';
import { NotRegistered } from './not-registered.js';
import { ClusterServerRow } from './cluster-server.entity.js';
import { ClusterShardRow } from './cluster-shard.entity.js';
import type { ServerSnapshot, ShardSnapshot } from './lease-policy.js';
import { SHARD_COUNT } from './shard-of.js';

/** The database's clock in epoch ms (PostgreSQL): every lease is counted by it, never by a server's own. */
const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** A server row with what the reader worked out from the database: silent for how long, session alive. */
export interface ServerState extends ClusterServerRow {
  silentForMs: number;
  sessionAlive: boolean;
  shards: number;
}

export interface LeaseTick {
  now: number;
  renewed: { shard: number; epoch: number }[];
  servers: ServerSnapshot[];
  shards: ShardSnapshot[];
}

/** Days a stopped or dead server stays listed in GET /api/cluster. */
const FORGET_SERVERS_AFTER_MS = 86_400_000;

/**
 * The cluster's tables: servers and shard leases. Lease work runs on the server's own ClusterConnection
 * (with deadlines, outside TypeORM's pool, which must not be where a stalled database is noticed);
 * reads for the API and the fencing check run through TypeORM.
 */
@Injectable()
export class ClusterRepository {
  constructor(private readonly dataSource: DataSource) {}

  // ---- on the cluster connection (PostgreSQL) ----------------------------------------------------------

  /** Makes sure every shard has its row (the first server of an installation, or a new shard count). */
  async ensureShards(connection: ClusterConnection): Promise<void> {
    await connection.query(
      `INSERT INTO "cluster_shards" ("shard", "owner", "epoch", "lease_until") ` +
        `SELECT n, NULL, 0, 0 FROM generate_series(0, $1::integer - 1) AS n ON CONFLICT ("shard") DO NOTHING`,
      [SHARD_COUNT],
    );
  }

  /** Writes this server's row; returns the database's clock. */
  async register(connection: ClusterConnection, row: Omit<ClusterServerRow, 'heardAt' | 'stoppedAt' | 'startedAt'>): Promise<number> {
    const rows = await connection.query<{ now: string }>(
      `INSERT INTO "cluster_servers" ("id", "name", "host", "pid", "version", "address", "lock_key", "started_at", "heard_at", "stopped_at", "work") ` +
        `VALUES ($1, $2, $3, $4, $5, $6, $7, ${NOW_MS}, ${NOW_MS}, NULL, $8) ` +
        `ON CONFLICT ("id") DO UPDATE SET "lock_key" = excluded."lock_key", "heard_at" = excluded."heard_at", "stopped_at" = NULL ` +
        `RETURNING "heard_at" AS now`,
      [row.id, row.name, row.host, row.pid, row.version, row.address, row.lockKey, row.work],
    );
    return Number(rows[0]!.now);
  }

  /**
   * One renewal, in one transaction: this server heard from, its leases extended, and a snapshot of the
   * servers and shards to plan from.
   */
  async renew(connection: ClusterConnection, me: string, leaseMs: number, work: string, address: string): Promise<LeaseTick> {
    return connection.transaction(async () => {
      const [{ now: nowText }] = (await connection.query<{ now: string }>(`SELECT ${NOW_MS} AS now`)) as [{ now: string }];
      const now = Number(nowText);
      const heard = await connection.query(
        `UPDATE "cluster_servers" SET "heard_at" = $2, "work" = $3, "address" = $4, "stopped_at" = NULL WHERE "id" = $1 RETURNING "id"`,
        [me, now, work, address],
      );
      if (heard.length === 0) throw new NotRegistered('this server is no longer registered');
      const renewed = await connection.query<{ shard: number; epoch: string }>(
        `UPDATE "cluster_shards" SET "lease_until" = $2 WHERE "owner" = $1 RETURNING "shard", "epoch"`,
        [me, now + leaseMs],
      );
      const servers = await connection.query<{ id: string; heard_at: string; stopped: boolean; session_alive: boolean }>(
        `SELECT s."id", s."heard_at", s."stopped_at" IS NOT NULL AS stopped, EXISTS (` +
          `SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 ` +
          `AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) ` +
          `AND l.classid = $1::integer::oid AND l.objid = s."lock_key"::oid) AS session_alive ` +
          `FROM "cluster_servers" s WHERE s."stopped_at" IS NULL OR s."heard_at" > $2`,
        [SESSION_LOCK_NAMESPACE, now - FORGET_SERVERS_AFTER_MS],
      );
      const shards = await connection.query<{ shard: number; owner: string | null; lease_until: string }>(
        `SELECT "shard", "owner", "lease_until" FROM "cluster_shards" ORDER BY "shard"`,
      );
      return {
        now,
        renewed: renewed.map((row) => ({ shard: row.shard, epoch: Number(row.epoch) })),
        servers: servers.map((row) => ({
          id: row.id,
          silentForMs: now - Number(row.heard_at),
          sessionAlive: row.session_alive,
          stopped: row.stopped,
        })),
        shards: shards.map((row) => ({ shard: row.shard, owner: row.owner, leaseLeftMs: Number(row.lease_until) - now })),
      };
    });
  }

  /**
   * Claims the shards that are still free, expired or held by one of `dead`; returns those it got. A row
   * another transaction holds is skipped, not waited for (a server cut off mid-transaction holds its rows
   * until PostgreSQL ends its session; the claim is tried again at the next renewal).
   */
  async claim(connection: ClusterConnection, me: string, shards: number[], dead: string[], leaseMs: number) {
    if (shards.length === 0) return [];
    const rows = await connection.query<{ shard: number; epoch: string }>(
      `UPDATE "cluster_shards" SET "owner" = $1, "epoch" = "epoch" + 1, "lease_until" = ${NOW_MS} + $4 ` +
        `WHERE "shard" IN (SELECT "shard" FROM "cluster_shards" WHERE "shard" = ANY($2::integer[]) ` +
        `AND ("owner" IS NULL OR "lease_until" <= ${NOW_MS} OR "owner" = ANY($3::varchar[])) FOR UPDATE SKIP LOCKED) ` +
        `RETURNING "shard", "epoch"`,
      [me, shards, dead, leaseMs],
    );
    return rows.map((row) => ({ shard: row.shard, epoch: Number(row.epoch) }));
  }

  /** Hands shards back (still this server's only). */
  async release(connection: ClusterConnection, me: string, shards: number[]): Promise<void> {
    if (shards.length === 0) return;
    await connection.query(
      `UPDATE "cluster_shards" SET "owner" = NULL, "lease_until" = 0 WHERE "owner" = $1 AND "shard" = ANY($2::integer[])`,
      [me, shards],
    );
  }

  /** A clean stop: every lease handed back and the server marked stopped. */
  async leave(connection: ClusterConnection, me: string): Promise<void> {
    await connection.transaction(async () => {
      await connection.query(`UPDATE "cluster_shards" SET "owner" = NULL, "lease_until" = 0 WHERE "owner" = $1`, [me]);
      await connection.query(`UPDATE "cluster_servers" SET "stopped_at" = ${NOW_MS} WHERE "id" = $1`, [me]);
    });
  }

  /**
   * Servers of this host whose process is gone (a previous run killed outright): their leases are handed
   * back at once instead of after they run out. Returns their ids.
   */
  async forgetDeadOfHost(connection: ClusterConnection, host: string, isRunning: (pid: number) => boolean): Promise<string[]> {
    const rows = await connection.query<{ id: string; pid: number }>(
      `SELECT "id", "pid" FROM "cluster_servers" WHERE "host" = $1 AND "stopped_at" IS NULL`,
      [host],
    );
    const dead = rows.filter((row) => !isRunning(row.pid)).map((row) => row.id);
    if (dead.length > 0) {
      await connection.query(`UPDATE "cluster_shards" SET "owner" = NULL, "lease_until" = 0 WHERE "owner" = ANY($1::varchar[])`, [dead]);
      await connection.query(`UPDATE "cluster_servers" SET "stopped_at" = ${NOW_MS} WHERE "id" = ANY($1::varchar[])`, [dead]);
    }
    return dead;
  }

  // ---- through TypeORM -----------------------------------------------------------------------------------

  /** Every server heard from in the last day (or not stopped), with its lease count, for GET /api/cluster. */
  async servers(now: number): Promise<ServerState[]> {
    const postgres = this.dataSource.options.type === 'postgres';
    const dbNow = postgres ? await this.databaseNow() : now;
    const rows = await this.dataSource.getRepository(ClusterServerRow).find({ order: { startedAt: 'ASC' } });
    const counts = new Map<string, number>();
    for (const shard of await this.dataSource.getRepository(ClusterShardRow).find())
      if (shard.owner !== null && shard.leaseUntil > dbNow) counts.set(shard.owner, (counts.get(shard.owner) ?? 0) + 1);
    const sessions = postgres ? await this.liveSessions() : null;
    return rows
      .filter((row) => row.stoppedAt === null || row.heardAt > dbNow - FORGET_SERVERS_AFTER_MS)
      .map((row) => ({
        ...row,
        silentForMs: dbNow - row.heardAt,
        sessionAlive: sessions ? sessions.has(row.lockKey) : row.stoppedAt === null,
        shards: counts.get(row.id) ?? 0,
      }));
  }

  async databaseNow(): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT ${NOW_MS} AS now`)) as { now: string }[];
    return Number(rows[0]!.now);
  }

  private async liveSessions(): Promise<Set<number>> {
    const rows = (await this.dataSource.query(
      `SELECT l.objid::bigint AS key FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 ` +
        `AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid = $1::integer::oid`,
      [SESSION_LOCK_NAMESPACE],
    )) as { key: string }[];
    return new Set(rows.map((row) => Number(row.key)));
  }

  /** Whether `shard` is still held under `epoch`; locks the row until the transaction ends (a takeover waits for it). */
  async fenceHeld(manager: EntityManager, shard: number, epoch: number): Promise<boolean> {
    const rows = (await manager.query(`SELECT "epoch" FROM "cluster_shards" WHERE "shard" = $1 FOR SHARE`, [shard])) as { epoch: string }[];
    return rows.length > 0 && Number(rows[0]!.epoch) === epoch;
  }

  /** Which of these shards `me` still holds under the given epochs; their rows stay locked until the transaction ends. */
  async heldBy(manager: EntityManager, me: string, fences: readonly { shard: number; epoch: number }[]): Promise<Set<number>> {
    if (fences.length === 0) return new Set();
    const rows = (await manager.query(
      `SELECT "shard", "epoch" FROM "cluster_shards" WHERE "shard" = ANY($1::integer[]) AND "owner" = $2 ORDER BY "shard" FOR SHARE`,
      [fences.map((fence) => fence.shard), me],
    )) as { shard: number; epoch: string }[];
    const wanted = new Map(fences.map((fence) => [fence.shard, fence.epoch]));
    return new Set(rows.filter((row) => wanted.get(row.shard) === Number(row.epoch)).map((row) => row.shard));
  }

  // ---- SQLite: one server per file -----------------------------------------------------------------------

  /** Rows of servers that have not said goodbye. */
  activeServers(): Promise<ClusterServerRow[]> {
    return this.dataSource.getRepository(ClusterServerRow).find({ where: { stoppedAt: IsNull() } });
  }

  async insertServer(row: ClusterServerRow): Promise<void> {
    await this.dataSource.getRepository(ClusterServerRow).insert(row);
  }

  async removeServers(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.dataSource.getRepository(ClusterServerRow).delete(ids);
  }

  async heard(id: string, at: number, work: string, address: string): Promise<void> {
    await this.dataSource.getRepository(ClusterServerRow).update({ id }, { heardAt: at, work, address });
  }

  async stopped(id: string, at: number): Promise<void> {
    await this.dataSource.getRepository(ClusterServerRow).update({ id }, { stoppedAt: at });
  }
}
