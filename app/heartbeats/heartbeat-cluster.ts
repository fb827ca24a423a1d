import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { Ownership, type OwnedShards, type ShardWork } from '../cluster/ownership.js';
import { ReadBack } from '../cluster/read-back.js';
import { settleWithin } from '../cluster/settle-within.js';
import { shardOf, workKey } from '../cluster/shard-of.js';
import { WritableShards } from '../cluster/writable-shards.js';
import { HeartbeatEngine } from './heartbeat-engine.js';
import { HeartbeatForwarder } from './heartbeat-forwarder.js';
import { HeartbeatRepository } from './heartbeat.repository.js';
import { HeartbeatStore } from './heartbeat-store.js';

/**
 * With several servers, a deadline is judged this long after it passes when others are alive: a beat one
 * of them took just before it is still on its way (forwarded within ~20 ms, taken in within the save
 * window), and must count.
 */
export const JUDGE_GRACE_MS = 1000;
/**
 * A deadline found passed when this server takes a service over is judged this much later if beats may be
 * on their way: other servers are alive, or this one kept commands while it could not reach PostgreSQL
 * (they are written as it comes back, within the writers' 5 s backoff).
 */
export const TAKEOVER_GRACE_MS = 10_000;
/** How often forwarded commands are looked for even without a NOTIFY (one may have been missed). */
const INBOX_POLL_MS = 2000;
const DROP_FLUSH_MS = 5000;

const service = (name: string) => shardOf(workKey.service(name));

/**
 * The heartbeat engine's part in the cluster (SPEC §12). Every server keeps every service in memory and
 * takes beats for any of them; a service's shard decides which server judges its deadline and saves it.
 * Commands for services another server decides are forwarded through the inbox (HeartbeatForwarder);
 * the deciding server takes them in with its next save and tells the others what it saved, and they
 * read it back so that every server answers reads. On SQLite this server decides everything.
 */
@Injectable()
export class HeartbeatCluster implements ShardWork, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeats');
  private readonly owned: OwnedShards;
  /** Shards whose services this server writes: those it decides, and those it is preparing. */
  private readonly writable: WritableShards;
  /** Services another server saved, read back here. */
  private readonly saved: ReadBack<string>;
  private pollTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly engine: HeartbeatEngine,
    private readonly store: HeartbeatStore,
    private readonly forwarder: HeartbeatForwarder,
    private readonly repository: HeartbeatRepository,
    private readonly ownership: Ownership,
    private readonly bus: ClusterBus,
  ) {
    this.owned = ownership.join('heartbeats', this);
    this.writable = new WritableShards(ownership, this.owned);
    this.saved = new ReadBack(async (names) => this.engine.replica.mirror(await this.repository.loadByNames(names), names), this.logger);
    if (!this.owned.clustered) return;
    engine.attachCluster({
      decides: (name) => this.owned.owns(workKey.service(name)),
      forward: (command) => this.forwarder.forward(command),
      judgeGraceMs: () => (this.owned.shared ? JUDGE_GRACE_MS : 0),
    });
    store.attachCluster({
      held: (manager) => this.writable.held(manager),
      shardOf: service,
      apply: (commands) => this.engine.replica.applyForwarded(commands),
      saved: (names, manager) => this.bus.publishList('services', 'names', names, {}, manager),
    });
    bus.subscribe<{ names?: string[] }>('services', ({ names }) => this.saved.add(names ?? []));
    bus.subscribe<{ shards?: number[] }>('heartbeat-inbox', ({ shards }) => {
      if (shards?.some((shard) => this.writable.has(shard))) this.store.takeInbox();
    });
    bus.onResync(() => void this.mirrorAll());
  }

  /** After the engine has loaded: this server may be handed services to decide (on SQLite, all of them). */
  async onModuleInit(): Promise<void> {
    await this.owned.ready();
    if (!this.owned.clustered) return;
    this.pollTimer = setInterval(() => {
      if (this.writable.size > 0) this.store.takeInbox();
    }, INBOX_POLL_MS);
    this.pollTimer.unref();
  }

  onApplicationShutdown(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.saved.stop();
  }

  /**
   * Answered once the command is kept for good: saved (this server decides the service) or in the inbox
   * (another one does). With one server, at once: a crash loses at most one save window (docs/operations.md).
   */
  acknowledged(name: string | null): Promise<void> {
    if (!this.owned.clustered) return Promise.resolve();
    if (name === null) return Promise.all([this.store.savedNow(), this.forwarder.committed()]).then(() => undefined);
    return this.engine.decides(name) ? this.store.savedNow() : this.forwarder.committed();
  }

  // ---- ShardWork -------------------------------------------------------------------------------------------

  async prepare(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.writable.add(shards);
    // Commands this server took while it could not reach PostgreSQL (fenced) were forwarded, its own services'
    // among them; they go into the inbox first, so that the inbox taken below holds every beat before anything
    // is judged. Bounded: a database failing again leaves them queued, and take() then judges with grace.
    await settleWithin(this.forwarder.flush(), DROP_FLUSH_MS);
    const rows = await this.repository.loadServices();
    this.engine.replica.refresh(rows, (name) => shards.has(service(name)));
    // Beats other servers took for these services meanwhile: applied before anything is judged.
    this.store.takeInbox();
    await this.store.flush();
  }

  take(shards: ReadonlySet<number>): void {
    // One server: the engine judged everything as it loaded.
    if (!this.owned.clustered) return;
    const waiting = this.owned.shared || this.forwarder.pending > 0;
    this.engine.replica.judge((name) => shards.has(service(name)), waiting ? TAKEOVER_GRACE_MS : 0);
  }

  async drop(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.engine.replica.release((name) => shards.has(service(name)));
    // What was decided for them is written while the leases still hold (the save checks them).
    await settleWithin(this.store.flush(), DROP_FLUSH_MS);
    this.writable.delete(shards);
  }

  describe(): Record<string, number> {
    let services = 0;
    for (const name of this.engine.services.keys()) if (this.engine.decides(name)) services++;
    return { services };
  }

  // ---- reading back what others saved ---------------------------------------------------------------------

  /** Notifications may have been missed (the connection dropped): every service is read back. */
  private async mirrorAll(): Promise<void> {
    const rows = await this.repository.loadServices();
    const names = new Set([...rows.map((row) => row.name), ...this.engine.services.keys()]);
    this.engine.replica.mirror(rows, [...names]);
  }
}
