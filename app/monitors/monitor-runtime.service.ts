import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { MonitorsSection } from '../config/config.schema.js';
import { StorageHealth } from '../database/storage-health.js';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { CheckResult } from '../plugin-host/contracts.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { Clock } from '../runtime/clock.js';
import type { CheckConsumer, CheckRunner } from '../scheduler/check-runner.js';
import type { CheckOutcome, CheckTask } from '../scheduler/check-task.js';
import { LiveMonitor, PUBLIC_SOURCE, type LiveMonitorView } from './live-monitor.js';
import { MonitorChecks } from './monitor-checks.js';
import { MonitorMaintenance } from './monitor-maintenance.js';
import { MonitorSources } from './monitor-sources.js';
import { MonitorStateKeeper } from './monitor-state-keeper.js';
import { MonitorWrites } from './monitor-writes.js';
import type { Monitor } from './monitor.entity.js';
import { MonitorRepository } from './monitor.repository.js';
import { ResultRecorder } from './result-recorder.js';
import { ResultRepository } from './result.repository.js';
import { SOLE_SERVER, type RuntimeCluster } from './runtime-cluster.js';
import { SourceDirectory } from './source-directory.js';
import type { MonitorSource } from './monitor-source.entity.js';

/**
 * The live side of monitors: holds every monitor in memory, hands the public source's checks to the
 * CheckRunner as plain tasks and consumes their outcomes (as it does poller results): records results
 * (batched), keeps the per-monitor state machine and emits `monitor.state-changed`. The in-memory state
 * decides; the database is the durable record. Its parts: MonitorChecks (the runner), ResultRecorder,
 * MonitorStateKeeper, MonitorSources (latest result per source, which pollers check what), MonitorWrites.
 */
@Injectable()
export class MonitorRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, CheckConsumer {
  private readonly logger = new Logger('Monitors');
  private readonly live = new Map<number, LiveMonitor>();
  private readonly writes: MonitorWrites;
  private readonly checks: MonitorChecks;
  private readonly sources: MonitorSources;
  private readonly states: MonitorStateKeeper;
  private readonly recorder: ResultRecorder;
  private cluster: RuntimeCluster = SOLE_SERVER;

  constructor(
    private readonly monitors: MonitorRepository,
    private readonly results: ResultRepository,
    registry: PluginRegistry,
    private readonly events: EventBus,
    private readonly maintenance: MonitorMaintenance,
    private readonly clock: Clock,
    settings: MonitorsSection,
    metrics: MetricsService,
    storage: StorageHealth,
    private readonly directory: SourceDirectory,
  ) {
    const { live, logger } = this;
    const cluster = () => this.cluster;
    this.sources = new MonitorSources(live, clock, (monitorId) => this.reevaluate(monitorId));
    this.writes = new MonitorWrites({ monitors, results, logger, storage, metrics, holds: (monitorId) => live.has(monitorId), cluster });
    this.checks = new MonitorChecks({ plugins: registry, consumer: this, maxConcurrent: settings.max_concurrent_checks, logger, metrics });
    this.states = new MonitorStateKeeper({ events, maintenance, writes: this.writes, logger, cluster });
    this.recorder = new ResultRecorder({ live, sources: this.sources, writes: this.writes, states: this.states, clock, logger, cluster });
  }

  async onApplicationBootstrap(): Promise<void> {
    const [monitors, sources, openIncidents] = await Promise.all([
      this.monitors.findAll(),
      this.results.allSources(),
      this.monitors.openIncidentMonitorIds(),
    ]);
    for (const monitor of monitors) this.live.set(monitor.id, this.toLive(monitor, openIncidents.has(monitor.id)));
    for (const source of sources) {
      const live = this.live.get(source.monitorId);
      if (live) this.sources.noteLatest(live, source.source, source);
    }
    for (const live of this.live.values()) if (!live.monitor.paused) this.scheduleWhereLeftOff(live);
    this.logger.log(`${this.live.size} monitor(s) loaded, ${this.checks.size} scheduled`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.sources.stop();
    await this.checks.stop();
    await this.writes.close();
  }

  // ---- what the API changes --------------------------------------------------------------------------

  /** A new monitor: runs within 5 s. */
  add(monitor: Monitor): void {
    const live = this.toLive(monitor, false);
    this.live.set(monitor.id, live);
    if (!monitor.paused) this.schedule(live, { runSoon: true });
  }

  /** Edited settings: the next check (within 5 s) uses them; a check running on the old ones is dropped. */
  replace(monitor: Monitor): void {
    const live = this.live.get(monitor.id);
    if (!live) return this.add(monitor);
    live.monitor = {
      ...monitor,
      status: live.monitor.status,
      statusMessage: live.monitor.statusMessage,
      lastChangeAt: live.monitor.lastChangeAt,
    };
    live.check = this.checks.prepare(live.monitor);
    this.sources.forgetLeft(live);
    if (!live.monitor.paused) this.schedule(live, { runSoon: true });
  }

  remove(monitorId: number): void {
    this.checks.remove(monitorId);
    const live = this.live.get(monitorId);
    if (live) this.sources.forgetAll(live);
    this.live.delete(monitorId);
  }

  /** Waits until every result and state change recorded so far is in the database. */
  settle(): Promise<void> {
    return this.writes.settle();
  }

  async pause(monitorId: number): Promise<void> {
    const live = this.live.get(monitorId);
    if (!live || live.monitor.paused) return;
    live.monitor.paused = true;
    this.checks.remove(monitorId);
    live.buckets.stopAccounting();
    live.held = null;
    this.states.change(live, 'paused', 'paused by a user', this.clock.now(), true);
    await this.settle();
  }

  async resume(monitorId: number): Promise<void> {
    const live = this.live.get(monitorId);
    if (!live || !live.monitor.paused) return;
    live.monitor.paused = false;
    // Results from before the pause say nothing about now; the first new result decides.
    live.sources.clear();
    this.states.change(live, 'pending', 'resumed; waiting for the first result', this.clock.now(), true);
    this.schedule(live, { runSoon: true });
    await this.settle();
  }

  /** Looks at a monitor's state again (a maintenance window started or ended, a poller went away). */
  reevaluate(monitorId: number): void {
    const live = this.live.get(monitorId);
    if (live && !live.monitor.paused) this.states.evaluate(live, this.clock.now());
  }

  /**
   * Records one result of the public source (from the scheduler). Ignored for unknown or paused monitors;
   * true when recorded.
   */
  recordResult(monitorId: number, source: string, result: CheckResult, checkedAt: number): boolean {
    return this.recorder.record(monitorId, source, result, checkedAt) === null;
  }

  /**
   * Records one result a poller reported for its source `poller:<id>`, with its own `checked_at`.
   * Resolves once it is in the database: `stored`, or `duplicate` when a result of that source at that
   * time was stored before (a resend or replay: it is not stored or counted again). Rejects with the
   * refusal when the monitor does not take it.
   */
  recordReported(monitorId: number, source: string, result: CheckResult, checkedAt: number): Promise<'stored' | 'duplicate'> {
    return this.recorder.recordAndWait(monitorId, source, result, checkedAt);
  }

  /** A poller waits for the results it reported to be stored: they are written now rather than after the interval. */
  writeReportedSoon(): void {
    this.writes.hurryResults();
  }

  /** The check tasks of the monitors a poller checks (not paused), by id: what GET /api/poller/tasks serves. */
  tasksFor(pollerId: number): CheckTask[] {
    return this.sources.tasksFor(pollerId);
  }

  /** Ids of every monitor a poller checks (paused ones too), ascending. */
  monitorsCheckedBy(pollerId: number): number[] {
    return this.sources.monitorsCheckedBy(pollerId);
  }

  /** Whether a poller checks this monitor now. */
  isCheckedBy(monitorId: number, pollerId: number): boolean {
    return this.sources.isCheckedBy(monitorId, pollerId);
  }

  /** The monitor's pollers changed (assignment, a poller deleted): sources that left are forgotten, the state looked at again. */
  setPollers(monitorId: number, pollers: number[]): void {
    const live = this.live.get(monitorId);
    if (!live) return;
    live.monitor.pollers = [...pollers];
    this.sources.forgetLeft(live);
    this.reevaluate(monitorId);
  }

  /** A poller went offline or came back: every monitor it checks is looked at again. */
  reevaluatePoller(pollerId: number): void {
    for (const live of this.live.values()) if (live.monitor.pollers.includes(pollerId)) this.reevaluate(live.monitor.id);
  }

  // ---- what the API reads ------------------------------------------------------------------------------

  /** The monitor's live state, read-only (only the runtime changes it). */
  get(monitorId: number): LiveMonitorView | undefined {
    return this.live.get(monitorId);
  }

  /** Ids of every monitor held in memory (maintenance windows covering "all" look at each). */
  monitorIds(): number[] {
    return [...this.live.keys()];
  }

  inMaintenance(monitorId: number): boolean {
    return this.maintenance.isInMaintenance(monitorId, this.clock.now());
  }

  /** Calls `listener` as each check starts, with when it was due; for benchmarks. */
  observeStarts(listener: (dueAt: number, startedAt: number) => void): void {
    this.checks.observeStarts(listener);
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private toLive(monitor: Monitor, incidentOpen: boolean): LiveMonitor {
    return new LiveMonitor(
      monitor,
      this.checks.prepare(monitor),
      {
        status: monitor.status,
        since: monitor.lastChangeAt,
        incidentNumber: monitor.incidentNumber,
        incidentOpen,
      },
      this.directory,
    );
  }

  /** Hands the public source's check to the runner (where this server decides the monitor). */
  private schedule(live: LiveMonitor, options: Parameters<CheckRunner['upsert']>[1]): void {
    if (!this.cluster.decides(live.monitor.id)) {
      this.checks.remove(live.monitor.id);
      return;
    }
    this.checks.upsert(live.check, options);
  }

  /** Loaded or taken over: the public source's next check follows its latest result. */
  private scheduleWhereLeftOff(live: LiveMonitor): void {
    const publicResult = live.sources.get(PUBLIC_SOURCE);
    this.schedule(live, { runSoon: false, lastCheckedAt: publicResult?.checkedAt ?? null, lastResult: publicResult ?? null });
  }

  /** The check runner started a check of the public source. */
  onCheckStart(_task: unknown, dueAt: number, startedAt: number): void {
    this.checks.started(dueAt, startedAt);
  }

  /** The check runner's confirmed result of the public source: recorded like any source's. */
  onCheckOutcome(outcome: CheckOutcome): void {
    const live = this.live.get(outcome.task.id);
    if (!live) return;
    this.checks.finished(live.monitor.type, outcome);
    const result =
      outcome.attempts > 1 ? { ...outcome.result, details: { ...outcome.result.details, attempts: outcome.attempts } } : outcome.result;
    this.recordResult(live.monitor.id, PUBLIC_SOURCE, result, this.clock.now());
  }

  // ---- several servers (MonitorCluster) ---------------------------------------------------------------------

  attachCluster(cluster: RuntimeCluster): void {
    this.cluster = cluster;
  }

  /**
   * This server is about to decide these monitors: what the database holds (settings, state, latest result
   * of each source) replaces what it kept; monitors no longer there are gone.
   */
  refresh(
    monitors: readonly Monitor[],
    sources: readonly MonitorSource[],
    openIncidents: ReadonlySet<number>,
    inShard: (id: number) => boolean,
  ): void {
    const seen = new Set<number>();
    for (const monitor of monitors) {
      if (!inShard(monitor.id)) continue;
      seen.add(monitor.id);
      const live = this.toLive(monitor, openIncidents.has(monitor.id));
      const known = this.live.get(monitor.id);
      if (known) for (const [source, latest] of known.sources) live.sources.set(source, latest);
      this.live.set(monitor.id, live);
    }
    for (const source of sources) {
      const live = this.live.get(source.monitorId);
      if (live && seen.has(source.monitorId)) this.sources.learn(live, source);
    }
    for (const id of [...this.live.keys()]) if (inShard(id) && !seen.has(id)) this.remove(id);
  }

  /** This server decides these monitors now: their public checks are scheduled where the previous holder left off. */
  startDeciding(inShard: (id: number) => boolean): void {
    for (const live of this.live.values()) {
      if (!inShard(live.monitor.id) || live.monitor.paused) continue;
      live.buckets.stopAccounting();
      this.scheduleWhereLeftOff(live);
    }
  }

  /** This server no longer decides these monitors: their checks stop here. */
  stopDeciding(inShard: (id: number) => boolean): void {
    for (const id of this.live.keys()) if (inShard(id)) this.checks.remove(id);
  }

  /** Writes what is queued (results, state changes) now. */
  flushWrites(): Promise<void> {
    return this.settle();
  }

  /** How many monitors `inShard` selects that are checked here. */
  scheduledCount(): number {
    return this.checks.size;
  }

  /**
   * Another server recorded results or changed states: this server's copy follows (the deciding server
   * judges the monitor again with the newer results). Monitors unknown here are added.
   */
  learnSources(sources: readonly MonitorSource[]): void {
    const touched = new Set<LiveMonitor>();
    for (const source of sources) {
      const live = this.live.get(source.monitorId);
      if (live && this.sources.learn(live, source)) touched.add(live);
    }
    const now = this.clock.now();
    for (const live of touched) if (!live.monitor.paused) this.states.evaluate(live, now);
  }

  /**
   * What another server wrote for a monitor: its settings (`settings`: a user changed them there) or its
   * state. A monitor decided elsewhere follows it; one decided here takes new settings (and a pause or
   * resume made there) but keeps its own state.
   */
  mirror(monitor: Monitor, incidentOpen: boolean, what: 'settings' | 'state'): void {
    const live = this.live.get(monitor.id);
    if (!live) return this.add(monitor);
    const decides = this.cluster.decides(monitor.id);
    const wasPaused = live.monitor.paused;
    if (!decides) {
      live.state = { status: monitor.status, since: monitor.lastChangeAt, incidentNumber: monitor.incidentNumber, incidentOpen };
      live.monitor = { ...monitor };
      live.check = this.checks.prepare(live.monitor);
      this.events.emit('monitor.mirrored', { monitorId: monitor.id, state: monitor.status });
      return;
    }
    // Decided here: settings (and a pause or resume made on another server) apply; the state stays this server's.
    if (monitor.paused && !wasPaused) void this.pause(monitor.id);
    else if (!monitor.paused && wasPaused) void this.resume(monitor.id);
    else if (what === 'settings') this.replace(monitor);
  }
}
