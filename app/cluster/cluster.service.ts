import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import os from 'node:os';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { DataSource, type EntityManager } from 'typeorm';
import { ClusterSection, HttpSection } from '../config/config.schema.js';
import { ReadinessService } from '../health/readiness.service.js';
import { Clock } from '../runtime/clock.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { ClusterBus, LocalBus, PostgresBus } from './cluster-bus.js';
import { ClusterConnection } from './cluster-connection.js';
import { ClusterRepository } from './cluster.repository.js';
import { NotRegistered } from './not-registered.js';
import { decideUntil, isAlive, planLeases, renewIntervalMs } from './lease-policy.js';
import { ALL_SHARDS, FenceLost, Ownership, SoleOwnership, type Fence, type OwnedShards, type ShardWork } from './ownership.js';
import { settleWithin } from './settle-within.js';
import { isRunning, SqliteMembership } from './sqlite-membership.js';
import { SHARD_COUNT, shardOf } from './shard-of.js';

interface JoinedWork {
  name: string;
  work: ShardWork;
  ready: boolean;
  /** Shards this feature has taken (prepared and started deciding for). */
  taken: Set<number>;
}

/** How long a clean stop waits for the features to write what they decided. */
const DROP_GRACE_MS = 5_000;

export interface ClusterStatus {
  clustered: boolean;
  me: string;
  fenced: { since: number; reason: string } | null;
  leaseMs: number;
  shards: number;
}

/**
 * This server's membership of the installation (SPEC §12). On PostgreSQL: a session lock and LISTEN on
 * its own connection, its row in `cluster_servers`, and leases on its fair share of the shards, renewed
 * five times per lease. Features join with their ShardWork and are handed shards as this server gains
 * them; a server that cannot renew in time, or loses its connection, is *fenced*: it stops deciding at
 * once (every feature drops its shards), says so in /readyz, and starts again from the database when
 * renewals work again. On SQLite: one server per database file, which decides everything.
 */
@Injectable()
export class ClusterService extends Ownership implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Cluster');
  readonly clustered: boolean;
  readonly id = `${os.hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly name: string;
  readonly bus: ClusterBus;
  readonly leaseMs: number;
  private readonly sole = new SoleOwnership();
  private readonly works: JoinedWork[] = [];
  private connection: ClusterConnection | null = null;
  private lockKey = randomInt(1, 2 ** 31 - 1);
  /** Shards this server holds leases on, with their epoch, as of the latest renewal. */
  private owned = new Map<number, number>();
  /** performance.now() until which this server may decide (a margin before its leases run out). */
  private mayDecideUntil = 0;
  private fenced: { since: number; reason: string } | null = null;
  private registered = false;
  private othersAlive = 0;
  private timer: NodeJS.Timeout | null = null;
  private fenceTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private transitions: Promise<void> = Promise.resolve();
  private stopping = false;
  private lastErrorLog = 0;
  /** On SQLite: this server's row, which keeps a second server off the same file. */
  private sqlite: SqliteMembership | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ClusterRepository,
    private readonly readiness: ReadinessService,
    private readonly clock: Clock,
    private readonly settings: ClusterSection,
    private readonly http: HttpSection,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    super();
    this.clustered = dataSource.options.type === 'postgres';
    this.name = settings.name || os.hostname();
    this.leaseMs = settings.lease_seconds * 1000;
    this.bus = this.clustered ? new PostgresBus(dataSource, this.id) : new LocalBus();
  }

  // ---- Ownership -----------------------------------------------------------------------------------------

  join(name: string, work: ShardWork): OwnedShards {
    if (!this.clustered) return this.sole.join(name, work);
    const joined: JoinedWork = { name, work, ready: false, taken: new Set() };
    this.works.push(joined);
    const ownsShard = (shard: number) =>
      this.fenced === null && performance.now() < this.mayDecideUntil && this.owned.has(shard) && joined.taken.has(shard);
    const cluster = this;
    return {
      clustered: true,
      get shared() {
        return cluster.othersAlive > 0;
      },
      owns: (key) => ownsShard(shardOf(key)),
      ownsShard,
      fence: (key) => {
        const shard = shardOf(key);
        return ownsShard(shard) ? { shard, epoch: this.owned.get(shard)! } : null;
      },
      leaseEpoch: (shard) =>
        this.fenced === null && performance.now() < this.mayDecideUntil && this.owned.has(shard) ? this.owned.get(shard)! : null,
      ready: async () => {
        joined.ready = true;
        if (this.works.every((other) => other.ready)) this.scheduleTick();
      },
    };
  }

  fenceOf(key: string): Fence | null {
    if (!this.clustered) return this.sole.fenceOf(key);
    const shard = shardOf(key);
    if (this.fenced !== null || performance.now() >= this.mayDecideUntil || !this.owned.has(shard)) return null;
    return { shard, epoch: this.owned.get(shard)! };
  }

  async assertFence(manager: EntityManager, fence: Fence): Promise<void> {
    if (!this.clustered) return;
    if (!(await this.repository.fenceHeld(manager, fence.shard, fence.epoch)))
      throw new FenceLost(`shard ${fence.shard} has been taken over by another server since this decision`);
  }

  async stillHeld(manager: EntityManager, fences: readonly Fence[]): Promise<Set<number>> {
    if (!this.clustered) return new Set(fences.map((fence) => fence.shard));
    return this.repository.heldBy(manager, this.id, fences);
  }

  status(): ClusterStatus {
    return { clustered: this.clustered, me: this.id, fenced: this.fenced, leaseMs: this.leaseMs, shards: this.owned.size };
  }

  /** What this server decides for now, as written to its row. */
  describeWork(): Record<string, number | boolean> {
    const work: Record<string, number | boolean> = { fenced: this.fenced !== null };
    for (const joined of this.works) Object.assign(work, joined.work.describe?.() ?? {});
    return work;
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------

  async onModuleInit(): Promise<void> {
    if (!this.clustered) {
      const file = (this.dataSource.options as { database?: string }).database ?? 'the SQLite database';
      this.sqlite = new SqliteMembership(this.repository, this.clock, file);
      await this.sqlite.join({ id: this.id, name: this.name }, () => ({
        work: JSON.stringify(this.describeWork()),
        address: this.address(),
      }));
      return;
    }
    const url = (this.dataSource.options as { url?: string }).url!;
    this.connection = new ClusterConnection(
      url,
      { notification: (payload) => (this.bus as PostgresBus).deliver(payload), lost: (reason) => this.onConnectionLost(reason) },
      renewIntervalMs(this.leaseMs),
    );
    await this.openConnection();
    await this.repository.ensureShards(this.connection);
    // Best effort: what it cannot hand back now runs out with its lease.
    const dead = await this.repository.forgetDeadOfHost(this.connection, os.hostname(), isRunning).catch(() => []);
    if (dead.length > 0) this.logger.log(`handed back the leases of ${dead.length} earlier server process(es) on this host that are gone`);
    this.bus.subscribe('shards', () => this.scheduleTick());
    this.bus.subscribe('joined', () => this.scheduleTick());
    this.readiness.register('cluster', () => this.readinessProbe());
  }

  onApplicationBootstrap(): void {
    if (!this.clustered) return;
    this.timer = setInterval(() => this.scheduleTick(), renewIntervalMs(this.leaseMs));
    this.timer.unref();
    if (this.works.every((joined) => joined.ready)) this.scheduleTick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fenceTimer) clearTimeout(this.fenceTimer);
    if (this.sqlite) {
      await this.sqlite.leave();
      return;
    }
    await this.ticking;
    await this.transitions;
    const shards = new Set(this.owned.keys());
    this.owned.clear();
    await settleWithin(this.dropFromWorks(shards), DROP_GRACE_MS);
    const connection = this.connection;
    if (connection?.open) {
      try {
        if (this.registered) {
          await this.repository.leave(connection, this.id);
          await this.bus.publish('shards', { released: [...shards] });
          this.logger.log(`left the cluster: ${shards.size} shard(s) handed back`);
        }
      } catch (error) {
        this.logger.warn(`could not hand back the leases (the others take them when they run out): ${(error as Error).message}`);
      }
      await connection.close();
    }
  }

  // ---- renewals ------------------------------------------------------------------------------------------

  /** Runs a renewal now, or right after the one running. */
  private scheduleTick(): void {
    if (this.stopping || !this.clustered) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tick().finally(() => {
      this.ticking = null;
      if (this.tickAgain) {
        this.tickAgain = false;
        this.scheduleTick();
      }
    });
  }

  private async tick(): Promise<void> {
    if (!this.connection) return; // not started yet (onModuleInit opens it)
    try {
      if (!this.connection.open) {
        await this.openConnection();
        this.registered = false;
        (this.bus as PostgresBus).resync();
      }
      const connection = this.connection!;
      const claiming = this.works.every((joined) => joined.ready);
      if (!claiming) return;
      if (!this.registered) {
        await this.repository.register(connection, {
          id: this.id,
          name: this.name,
          host: os.hostname(),
          pid: process.pid,
          version: PULSE_VERSION,
          address: this.address(),
          lockKey: this.lockKey,
          work: JSON.stringify(this.describeWork()),
        });
        this.registered = true;
        await this.bus.publish('joined', { name: this.name });
      }
      const started = performance.now();
      const snapshot = await this.repository.renew(connection, this.id, this.leaseMs, JSON.stringify(this.describeWork()), this.address());
      this.mayDecideUntil = decideUntil(started, this.leaseMs);
      this.armFenceTimer();
      this.othersAlive = snapshot.servers.filter((server) => server.id !== this.id && isAlive(server, this.leaseMs)).length;
      const plan = planLeases({
        me: this.id,
        servers: snapshot.servers,
        shards: snapshot.shards,
        leaseMs: this.leaseMs,
        shardCount: SHARD_COUNT,
      });
      const claimed = await this.repository.claim(connection, this.id, plan.claim, plan.dead, this.leaseMs);
      if (plan.dead.length > 0 && claimed.length > 0)
        this.logger.log(`took ${claimed.length} shard(s) over from server(s) whose connection is gone: ${plan.dead.join(', ')}`);
      const held = new Map<number, number>([...snapshot.renewed, ...claimed].map((lease) => [lease.shard, lease.epoch]));
      if (this.fenced) {
        this.logger.log(`PostgreSQL answers again after ${Math.round((this.clock.now() - this.fenced.since) / 1000)} s: deciding again`);
        this.fenced = null;
      }
      this.queueTransition(held);
      if (plan.release.length > 0) await this.release(plan.release);
    } catch (error) {
      if (error instanceof NotRegistered) this.registered = false;
      this.logTickError(error as Error);
      if (performance.now() >= this.mayDecideUntil) this.fence(`the leases could not be renewed: ${(error as Error).message}`);
    }
  }

  /** Leases changed: features drop what was lost, then prepare and take what was gained — one change at a time. */
  private queueTransition(held: Map<number, number>): void {
    const before = new Set(this.owned.keys());
    this.owned = held;
    const lost = new Set([...before].filter((shard) => !held.has(shard)));
    this.transitions = this.transitions.then(async () => {
      if (lost.size > 0) {
        this.logger.warn(`lost ${lost.size} shard(s) to other servers`);
        await this.dropFromWorks(lost);
      }
      // Shards held now that a feature has not taken yet (gained now, or not taken after a failed prepare).
      const started = performance.now();
      let taken = 0;
      for (const joined of this.works) {
        const gained = new Set([...this.owned.keys()].filter((shard) => !joined.taken.has(shard)));
        if (gained.size === 0 || this.fenced) continue;
        try {
          await joined.work.prepare(gained);
        } catch (error) {
          this.logger.error(`${joined.name} could not load ${gained.size} shard(s) it takes over: ${(error as Error).message}`);
          continue;
        }
        const still = new Set([...gained].filter((shard) => this.owned.has(shard)));
        for (const shard of still) joined.taken.add(shard);
        joined.work.take(still);
        taken = Math.max(taken, still.size);
      }
      if (taken > 0)
        this.logger.log(
          `deciding for ${taken} more shard(s) (${this.owned.size} in all), ready after ${Math.round(performance.now() - started)} ms`,
        );
    });
  }

  private async dropFromWorks(shards: ReadonlySet<number>): Promise<void> {
    await Promise.all(
      this.works.map(async (joined) => {
        const mine = new Set([...shards].filter((shard) => joined.taken.has(shard)));
        if (mine.size === 0) return;
        for (const shard of mine) joined.taken.delete(shard);
        try {
          await joined.work.drop(mine);
        } catch (error) {
          this.logger.warn(
            `${joined.name} could not write what it decided for ${mine.size} shard(s) it gave up: ${(error as Error).message}`,
          );
        }
      }),
    );
  }

  /** More than the fair share: stop deciding for these, let the features write what they decided, hand them back. */
  private async release(shards: number[]): Promise<void> {
    const set = new Set(shards);
    for (const shard of shards) this.owned.delete(shard);
    await this.transitions;
    await settleWithin(this.dropFromWorks(set), DROP_GRACE_MS);
    await this.repository.release(this.connection!, this.id, shards);
    await this.bus.publish('shards', { released: shards });
    this.logger.log(`handed ${shards.length} shard(s) back so that another server gets its share`);
  }

  // ---- fencing -------------------------------------------------------------------------------------------

  /** Fires when the last renewal's validity runs out without a newer one. */
  private armFenceTimer(): void {
    if (this.fenceTimer) clearTimeout(this.fenceTimer);
    this.fenceTimer = setTimeout(
      () => {
        if (performance.now() >= this.mayDecideUntil) this.fence('no lease renewal succeeded in time (PostgreSQL does not answer)');
      },
      Math.max(0, this.mayDecideUntil - performance.now()) + 5,
    );
    this.fenceTimer.unref();
  }

  private onConnectionLost(reason: string): void {
    this.fence(reason);
    if (!this.stopping) setTimeout(() => this.scheduleTick(), 500).unref();
  }

  /** Stops deciding everything at once; the next successful renewal hands the shards back in from the database. */
  private fence(reason: string): void {
    if (this.fenced || this.stopping || !this.clustered) return;
    this.fenced = { since: this.clock.now(), reason };
    this.mayDecideUntil = 0;
    const shards = new Set(this.owned.keys());
    this.owned.clear();
    this.logger.error(
      `fenced: ${reason}. This server decides nothing (no checks, no deadlines, no alerts) until PostgreSQL answers again.`,
    );
    this.transitions = this.transitions.then(() => this.dropFromWorks(new Set([...shards, ...ALL_SHARDS])));
  }

  /** Where this server's HTTP listener is bound (once it listens), else the configured `[http] listen`. */
  address(): string {
    const bound = this.adapterHost.httpAdapter?.getHttpServer?.()?.address?.() as AddressInfo | string | null | undefined;
    if (bound && typeof bound === 'object') return `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
    return this.http.listen;
  }

  private readinessProbe(): true | string {
    if (this.fenced)
      return `fenced since ${new Date(this.fenced.since).toISOString()}: ${this.fenced.reason}; this server decides nothing until PostgreSQL answers again`;
    return true;
  }

  private async openConnection(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.connection!.connect(this.lockKey)) return;
      // Our old session may still hold the key (PostgreSQL has not noticed it is gone): take another.
      this.lockKey = randomInt(1, 2 ** 31 - 1);
    }
    throw new Error('could not take a session lock');
  }

  private logTickError(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(`lease renewal failed: ${error.message}`);
  }
}
