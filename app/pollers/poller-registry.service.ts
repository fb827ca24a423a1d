import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { MonitorRuntime } from '../monitors/monitor-runtime.service.js';
import { SourceDirectory } from '../monitors/source-directory.js';
import { Clock } from '../runtime/clock.js';
import { DueTimer } from '../scheduler/due-timer.js';
import { timersWithClock } from '../scheduler/timers.js';
import { isActive, judgeLiveness, nextLivenessCheck, type PollerState } from './poller-liveness.js';
import type { Poller } from './poller.entity.js';
import { PollerRepository } from './poller.repository.js';
import './poller.events.js';

/** A poller as the server holds it: the stored row plus what is only kept in memory between writes. */
export interface LivePoller {
  poller: Poller;
  /** Heard from last (any request with its token); written to the row at most every 30 s. */
  lastSeenAt: number | null;
}

/** The outbox figures a poller reports with every batch. */
export interface OutboxFigures {
  queued: number;
  dropped: number;
}

const LAST_SEEN_WRITE_MS = 30_000;

/**
 * How the registry takes part in a cluster (PollerCluster, on PostgreSQL); without it this server judges
 * every poller. A poller's shard decides which server judges its liveness and writes its state; any
 * server hears from it and writes when it was heard from.
 */
export interface PollersCluster {
  decides(pollerId: number): boolean;
  /** Within the state write's transaction: whether this server still judges the poller. */
  mayWriteState(pollerId: number, manager: EntityManager): Promise<boolean>;
  /** Something was written about the poller (registered, changed, heard from while offline, judged): tell the others. */
  changed(pollerId: number): void;
}

const SOLE: PollersCluster = { decides: () => true, mayWriteState: async () => true, changed: () => undefined };

/**
 * Every registered poller in memory, and its liveness: heard from within 90 s it is online; silent for
 * longer it is judged offline, once (`poller.state-changed`, its sources turn unknown); heard from again
 * it is online (the recovery). A server start gives every poller 90 s to be heard from before judging it.
 * Keeps the monitors' SourceDirectory (names, locations, offline) in step.
 */
@Injectable()
export class PollerRegistry implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Pollers');
  private readonly pollers = new Map<number, LivePoller>();
  private readonly byToken = new Map<number, number>();
  private readonly liveness: DueTimer<number>;
  private startedAt = 0;
  /** Row writes (last seen, outbox figures, state), one after another. */
  private writes: Promise<void> = Promise.resolve();
  private readonly lastWritten = new Map<number, number>();
  private cluster: PollersCluster = SOLE;

  constructor(
    private readonly repository: PollerRepository,
    private readonly directory: SourceDirectory,
    private readonly runtime: MonitorRuntime,
    private readonly events: EventBus,
    private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    const pollers = this.pollers;
    metrics.gauge({
      name: 'pulse_pollers',
      help: 'Registered pollers by judged state',
      labelNames: ['state'],
      collect() {
        let offline = 0;
        for (const live of pollers.values()) if (live.poller.offline) offline++;
        this.set({ state: 'online' }, pollers.size - offline);
        this.set({ state: 'offline' }, offline);
      },
    });
    this.liveness = new DueTimer<number>(
      (now) => {
        for (const { key } of this.liveness.takeDue(now)) void this.judgeSilence(key, now);
      },
      timersWithClock(() => this.clock.now()),
    );
  }

  async onModuleInit(): Promise<void> {
    this.startedAt = this.clock.now();
    // A poller registered through another server is known here once it says so; a monitor naming it may come first.
    this.directory.setLookUp(async (id) => {
      const row = await this.repository.findById(id);
      if (row && !this.pollers.has(id)) this.mirror(row);
      return row !== null;
    });
    for (const poller of await this.repository.findAll()) this.hold(poller);
    if (this.pollers.size > 0) this.logger.log(`${this.pollers.size} poller(s) registered`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.liveness.stop();
    await this.writes;
  }

  get(id: number): LivePoller | undefined {
    return this.pollers.get(id);
  }

  byTokenId(tokenId: number): LivePoller | undefined {
    const id = this.byToken.get(tokenId);
    return id === undefined ? undefined : this.pollers.get(id);
  }

  /** The poller holding this name (names are unique), if any. */
  byName(name: string): LivePoller | undefined {
    const wanted = name.toLowerCase();
    for (const live of this.pollers.values()) if (live.poller.name.toLowerCase() === wanted) return live;
    return undefined;
  }

  all(): LivePoller[] {
    return [...this.pollers.values()];
  }

  state(live: LivePoller): PollerState {
    return live.poller.offline ? 'offline' : 'online';
  }

  isActive(live: LivePoller): boolean {
    return isActive(live.lastSeenAt, this.clock.now());
  }

  /** A newly registered (or changed) poller row. */
  hold(poller: Poller): LivePoller {
    const known = this.pollers.get(poller.id);
    const live: LivePoller = { poller: { ...poller }, lastSeenAt: Math.max(known?.lastSeenAt ?? 0, poller.lastSeenAt ?? 0) || null };
    this.pollers.set(poller.id, live);
    this.byToken.set(poller.tokenId, poller.id);
    this.directory.setPoller(poller.id, { name: poller.name, location: poller.location, offline: poller.offline });
    if (this.cluster.decides(poller.id)) this.liveness.schedule(poller.id, nextLivenessCheck(live.lastSeenAt, this.startedAt));
    this.events.emit('poller.changed', { pollerId: poller.id });
    return live;
  }

  /** A deleted poller: forgotten everywhere. */
  forget(id: number): void {
    const live = this.pollers.get(id);
    if (!live) return;
    this.pollers.delete(id);
    this.byToken.delete(live.poller.tokenId);
    this.liveness.remove(id);
    this.lastWritten.delete(id);
    this.directory.removePoller(id);
    this.events.emit('poller.changed', { pollerId: id });
  }

  /**
   * The poller made a request: it is alive (back online if it was judged offline). The batch's outbox
   * figures are kept when given. Row writes are spaced out (at most every 30 s) unless something changed.
   */
  heard(id: number, outbox?: OutboxFigures): void {
    const live = this.pollers.get(id);
    if (!live) return;
    const now = this.clock.now();
    live.lastSeenAt = now;
    const { poller } = live;
    let changed = false;
    if (outbox && (outbox.queued !== poller.outboxQueued || outbox.dropped !== poller.outboxDropped)) {
      if (outbox.dropped > poller.outboxDropped)
        this.logger.warn(
          `poller ${id} "${poller.name}" dropped ${(outbox.dropped - poller.outboxDropped).toLocaleString('en-US')} result(s) from its outbox (${outbox.dropped.toLocaleString('en-US')} in all)`,
        );
      poller.outboxQueued = outbox.queued;
      poller.outboxDropped = outbox.dropped;
      poller.outboxReportedAt = now;
      changed = true;
    } else if (outbox) poller.outboxReportedAt = now;
    if (!this.cluster.decides(id)) {
      // Another server judges it: it is told when the poller was heard from, at once if it is offline there.
      if (poller.offline || changed || now - (this.lastWritten.get(id) ?? 0) >= LAST_SEEN_WRITE_MS) this.persistHeard(live);
      return;
    }
    this.liveness.schedule(id, nextLivenessCheck(now, this.startedAt));
    if (poller.offline) this.judge(id, now);
    else if (changed || now - (this.lastWritten.get(id) ?? 0) >= LAST_SEEN_WRITE_MS) this.persist(live);
  }

  /**
   * Its silence is due to be judged. Several servers: other servers may have heard from it (they write
   * when, every 30 s at most), so that is read first.
   */
  private async judgeSilence(id: number, now: number): Promise<void> {
    const live = this.pollers.get(id);
    if (!live || !this.cluster.decides(id)) return;
    if (this.cluster !== SOLE) {
      const row = await this.repository.findById(id).catch(() => null);
      if (row?.lastSeenAt && row.lastSeenAt > (live.lastSeenAt ?? 0)) live.lastSeenAt = row.lastSeenAt;
    }
    this.judge(id, Math.max(now, this.clock.now()));
  }

  private judge(id: number, now: number): void {
    const live = this.pollers.get(id);
    if (!live || !this.cluster.decides(id)) return;
    const from = this.state(live);
    const to = judgeLiveness(from, live.lastSeenAt, this.startedAt, now);
    if (to === null) {
      if (from === 'online') this.liveness.schedule(id, nextLivenessCheck(live.lastSeenAt, this.startedAt));
      return;
    }
    const { poller } = live;
    const since = poller.stateChangedAt;
    poller.offline = to === 'offline';
    poller.stateChangedAt = now;
    this.persist(live);
    this.directory.setPoller(id, { name: poller.name, location: poller.location, offline: poller.offline });
    this.logger.log(
      to === 'offline'
        ? `poller ${id} "${poller.name}" offline: not heard from since ${live.lastSeenAt === null ? 'it registered' : new Date(live.lastSeenAt).toISOString()}; its sources are unknown`
        : `poller ${id} "${poller.name}" back online`,
    );
    this.runtime.reevaluatePoller(id);
    this.events.emit('poller.state-changed', {
      pollerId: id,
      name: poller.name,
      location: poller.location,
      from,
      to,
      at: now,
      since,
      lastSeenAt: live.lastSeenAt,
      alerts: [...poller.alerts],
    });
  }

  private persist(live: LivePoller): void {
    const { poller } = live;
    const now = this.clock.now();
    this.lastWritten.set(poller.id, now);
    const values = {
      lastSeenAt: live.lastSeenAt,
      offline: poller.offline,
      stateChangedAt: poller.stateChangedAt,
      outboxQueued: poller.outboxQueued,
      outboxDropped: poller.outboxDropped,
      outboxReportedAt: poller.outboxReportedAt,
    };
    // The console's pollers pages re-read: last seen and the outbox figures change with these writes.
    this.events.emit('poller.changed', { pollerId: poller.id });
    this.writes = this.writes
      .then(async () => {
        if (this.cluster === SOLE) return this.repository.update(poller.id, values);
        if (await this.repository.updateGuarded(poller.id, values, (manager) => this.cluster.mayWriteState(poller.id, manager)))
          this.cluster.changed(poller.id);
      })
      .catch((error: Error) => this.logger.warn(`could not record the state of poller ${poller.id}: ${error.message}`));
  }

  /**
   * Several servers, where another server judges the poller: when it was heard from (and its outbox),
   * read back by the others (the one that judges it brings it back online if it was offline).
   */
  private persistHeard(live: LivePoller): void {
    const { poller } = live;
    this.lastWritten.set(poller.id, this.clock.now());
    const outbox = { outboxQueued: poller.outboxQueued, outboxDropped: poller.outboxDropped, outboxReportedAt: poller.outboxReportedAt };
    this.events.emit('poller.changed', { pollerId: poller.id });
    this.writes = this.writes
      .then(async () => {
        await this.repository.heard(poller.id, live.lastSeenAt ?? this.clock.now(), outbox);
        this.cluster.changed(poller.id);
      })
      .catch((error: Error) => this.logger.warn(`could not record when poller ${poller.id} was heard from: ${error.message}`));
  }

  // ---- several servers (PollerCluster) ---------------------------------------------------------------------

  /** A poller was registered or changed here: the other servers read it back. */
  changed(pollerId: number): void {
    this.cluster.changed(pollerId);
  }

  attachCluster(cluster: PollersCluster): void {
    this.cluster = cluster;
  }

  /** A poller token not known here: bound to a poller through another server a moment ago? */
  async known(tokenId: number): Promise<LivePoller | undefined> {
    const live = this.byTokenId(tokenId);
    if (live || this.cluster === SOLE) return live;
    const row = await this.repository.findByToken(tokenId);
    return row ? this.hold(row) : undefined;
  }

  /**
   * What another server wrote about a poller (registered it, changed it, heard from it, judged it): this
   * server's copy follows; one this server judges is judged again if it was heard from while offline.
   */
  mirror(row: Poller): void {
    const known = this.pollers.get(row.id);
    const wasOffline = known?.poller.offline;
    const decides = this.cluster.decides(row.id);
    const poller = decides && known ? { ...row, offline: known.poller.offline, stateChangedAt: known.poller.stateChangedAt } : row;
    const live = this.hold(poller);
    if (decides) {
      if (live.poller.offline) this.judge(row.id, this.clock.now());
      return;
    }
    if (wasOffline !== undefined && wasOffline !== row.offline) this.runtime.reevaluatePoller(row.id);
  }

  /** This server judges these pollers now: what the database holds replaces what it kept, and their silence is timed here. */
  refresh(rows: readonly Poller[], inShard: (pollerId: number) => boolean): void {
    for (const row of rows) if (inShard(row.id)) this.hold(row);
  }

  startJudging(inShard: (pollerId: number) => boolean): void {
    for (const live of this.pollers.values())
      if (inShard(live.poller.id)) this.liveness.schedule(live.poller.id, nextLivenessCheck(live.lastSeenAt, this.startedAt));
  }

  stopJudging(inShard: (pollerId: number) => boolean): void {
    for (const id of this.pollers.keys()) if (inShard(id)) this.liveness.remove(id);
  }

  flushWrites(): Promise<void> {
    return this.writes;
  }

  judgedCount(): number {
    let count = 0;
    for (const id of this.pollers.keys()) if (this.cluster.decides(id)) count++;
    return count;
  }
}
