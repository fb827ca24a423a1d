import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MonitorsSection } from '../config/config.schema.js';
import type { EntityManager } from 'typeorm';
import { BatchWriter } from '../database/batch-writer.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { CheckResult } from '../plugin-host/contracts.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { Clock } from '../runtime/clock.js';
import { CheckRunner, type CheckConsumer, type PreparedCheck } from '../scheduler/check-runner.js';
import type { CheckOutcome } from '../scheduler/check-task.js';
import { DueTimer } from '../scheduler/due-timer.js';
import { timersWithClock } from '../scheduler/timers.js';
import { staleAfterMs } from './aggregate-status.js';
import { LiveMonitor, PUBLIC_SOURCE, type LatestResult, type LiveMonitorView } from './live-monitor.js';
import { MonitorMaintenance } from './monitor-maintenance.js';
import { nextState, type StateChange } from './monitor-state.js';
import type { Monitor, MonitorState } from './monitor.entity.js';
import { MonitorRepository } from './monitor.repository.js';
import { ResultRepository } from './result.repository.js';
import type { BucketDelta } from './uptime-buckets.js';
import { SourceDirectory } from './source-directory.js';
import type { CheckTask } from '../scheduler/check-task.js';
import type { CheckResultRow } from './check-result.entity.js';
import type { MonitorSource } from './monitor-source.entity.js';
import { checkTaskOf } from './monitor-task.js';

interface PendingWrite {
  result: CheckResultRow;
  /** The source's latest result, when this one is newer than any before it (a replayed old one is not). */
  source: MonitorSource | null;
  deltas: BucketDelta[];
  /**
   * Told once the batch is written: whether the result was new (false: stored before; null: its monitor
   * was deleted meanwhile), or that the writer gave the batch up.
   */
  stored?: (isNew: boolean | null | 'not-written') => void;
}

/** A state change to write; `admin`: made by a user (pause, resume) on whichever server took the request. */
interface PendingChange {
  monitorId: number;
  change: StateChange;
  admin?: boolean;
}

/**
 * How the runtime takes part in a cluster (MonitorCluster, on PostgreSQL); without it this server decides
 * every monitor. A monitor's shard decides which server runs its public checks and judges its state;
 * every server keeps every monitor and records results reported to it.
 */
export interface RuntimeCluster {
  decides(monitorId: number): boolean;
  /** Within the state writer's transaction: of these monitors, those whose state this server may still write. */
  writableStates(manager: EntityManager, monitorIds: number[]): Promise<Set<number>>;
  /** Within the same transaction: tell the others these states changed. */
  statesWritten(monitorIds: number[], manager: EntityManager): Promise<void>;
  /** Results of these monitors were stored. */
  resultsWritten(monitorIds: number[]): void;
}

const SOLE: RuntimeCluster = {
  decides: () => true,
  writableStates: async (_manager, ids) => new Set(ids),
  statesWritten: async () => undefined,
  resultsWritten: () => undefined,
};

/** Why a reported result is not taken. */
export type RecordRefusal = 'unknown-monitor' | 'paused' | 'not-a-source' | 'overloaded';

/**
 * The live side of monitors: holds every monitor in memory, hands the public source's checks to the
 * CheckRunner as plain tasks and consumes their outcomes (as it does poller results): records results
 * (batched), keeps the per-monitor state machine and emits `monitor.state-changed`. The in-memory state
 * decides; the database is the durable record.
 */
@Injectable()
export class MonitorRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, CheckConsumer {
  private readonly logger = new Logger('Monitors');
  private readonly live = new Map<number, LiveMonitor>();
  private readonly runner: CheckRunner;
  private readonly writer: BatchWriter<PendingWrite>;
  /** When each source's latest result goes stale: the aggregate is looked at again then. */
  private readonly staleness: DueTimer<string>;
  /** State changes, written in order; kept and retried while the database fails, like results. */
  private readonly stateWriter: BatchWriter<PendingChange>;
  private cluster: RuntimeCluster = SOLE;
  private readonly checks: Counter<'type' | 'status'>;
  private readonly durations: Histogram<'type'>;
  private readonly startDelays: Histogram;
  private readonly startListeners: ((dueAt: number, startedAt: number) => void)[] = [];

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
    this.runner = new CheckRunner({
      plugins: registry,
      consumer: this,
      maxConcurrent: settings.max_concurrent_checks,
      logger: this.logger,
    });
    this.staleness = new DueTimer<string>(
      (now) => {
        for (const { key } of this.staleness.takeDue(now)) this.reevaluate(Number(key.split('|')[0]));
      },
      timersWithClock(() => this.clock.now()),
    );
    this.writer = new BatchWriter<PendingWrite>({
      name: 'check results',
      flushIntervalMs: 250,
      maxBatchSize: 500,
      maxPending: 100_000,
      logger: this.logger,
      write: (items) => this.writeBatch(items),
      // A poller waiting for its answer hears the batch was not stored: 503, and it sends the results again.
      onGivenUp: (items) => items.forEach((item) => item.stored?.('not-written')),
      storage,
      metrics: writeQueueMetrics(metrics, 'results', () => this.writer.pendingCount),
    });
    this.stateWriter = new BatchWriter({
      name: 'monitor state changes',
      flushIntervalMs: 0,
      maxBatchSize: 500,
      maxPending: 100_000,
      logger: this.logger,
      write: (changes) => this.writeChanges(changes),
      storage,
      metrics: writeQueueMetrics(metrics, 'monitor_states', () => this.stateWriter.pendingCount),
    });
    this.checks = metrics.counter({
      name: 'pulse_checks_total',
      help: 'Monitor checks run by this server, by type and result',
      labelNames: ['type', 'status'],
    });
    this.durations = metrics.histogram({
      name: 'pulse_check_duration_seconds',
      help: 'Duration of monitor checks run by this server',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.startDelays = metrics.histogram({
      name: 'pulse_check_start_delay_seconds',
      help: 'How late checks start after they are due (scheduler jitter)',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    const { runner, writer } = this;
    metrics.gauge({
      name: 'pulse_checks_running',
      help: 'Checks running now',
      collect() {
        this.set(runner.running);
      },
    });
    metrics.gauge({
      name: 'pulse_checks_waiting',
      help: 'Checks due but waiting for a free slot',
      collect() {
        this.set(runner.waiting);
      },
    });
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
      if (live) this.noteLatest(live, source.source, source);
    }
    for (const live of this.live.values()) {
      if (live.monitor.paused) continue;
      const publicResult = live.sources.get(PUBLIC_SOURCE);
      this.schedule(live, { runSoon: false, lastCheckedAt: publicResult?.checkedAt ?? null, lastResult: publicResult ?? null });
    }
    this.logger.log(`${this.live.size} monitor(s) loaded, ${this.runner.size} scheduled`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.staleness.stop();
    await this.runner.stop();
    await this.writer.close();
    await this.stateWriter.close();
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
    live.check = this.prepare(live.monitor);
    this.forgetLeftSources(live);
    if (!live.monitor.paused) this.schedule(live, { runSoon: true });
  }

  remove(monitorId: number): void {
    this.runner.remove(monitorId);
    const live = this.live.get(monitorId);
    if (live) for (const source of live.sources.keys()) this.staleness.remove(`${monitorId}|${source}`);
    this.live.delete(monitorId);
  }

  /** Waits until every result and state change recorded so far is in the database. */
  async settle(): Promise<void> {
    await this.writer.flush().catch((error: Error) => this.logger.warn(`results not yet written: ${error.message}`));
    await this.stateWriter.flush().catch((error: Error) => this.logger.warn(`state changes not yet written: ${error.message}`));
  }

  async pause(monitorId: number): Promise<void> {
    const live = this.live.get(monitorId);
    if (!live || live.monitor.paused) return;
    live.monitor.paused = true;
    this.runner.remove(monitorId);
    live.buckets.stopAccounting();
    live.held = null;
    this.change(live, 'paused', 'paused by a user', this.clock.now(), true);
    await this.settle();
  }

  async resume(monitorId: number): Promise<void> {
    const live = this.live.get(monitorId);
    if (!live || !live.monitor.paused) return;
    live.monitor.paused = false;
    // Results from before the pause say nothing about now; the first new result decides.
    live.sources.clear();
    this.change(live, 'pending', 'resumed; waiting for the first result', this.clock.now(), true);
    this.schedule(live, { runSoon: true });
    await this.settle();
  }

  /** Looks at a monitor's state again (a maintenance window started or ended, a poller went away). */
  reevaluate(monitorId: number): void {
    const live = this.live.get(monitorId);
    if (live && !live.monitor.paused) this.evaluate(live, this.clock.now());
  }

  /**
   * Records one result of the public source (from the scheduler). Ignored for unknown or paused monitors;
   * true when recorded.
   */
  recordResult(monitorId: number, source: string, result: CheckResult, checkedAt: number): boolean {
    return this.record(monitorId, source, result, checkedAt) === null;
  }

  /**
   * Records one result a poller reported for its source `poller:<id>`, with its own `checked_at`.
   * Resolves once it is in the database: `stored`, or `duplicate` when a result of that source at that
   * time was stored before (a resend or replay: it is not stored or counted again). Rejects with the
   * refusal when the monitor does not take it.
   */
  recordReported(monitorId: number, source: string, result: CheckResult, checkedAt: number): Promise<'stored' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      const refusal = this.record(monitorId, source, result, checkedAt, (isNew) => {
        if (isNew === 'not-written') reject(new RecordRefused('overloaded'));
        else if (isNew === null) reject(new RecordRefused('unknown-monitor'));
        else resolve(isNew ? 'stored' : 'duplicate');
      });
      if (refusal) reject(new RecordRefused(refusal));
    });
  }

  /** A poller waits for the results it reported to be stored: they are written now rather than after the interval. */
  writeReportedSoon(): void {
    this.writer.hurry();
  }

  private record(
    monitorId: number,
    source: string,
    result: CheckResult,
    checkedAt: number,
    stored?: PendingWrite['stored'],
  ): RecordRefusal | null {
    const live = this.live.get(monitorId);
    if (!live) return 'unknown-monitor';
    if (live.monitor.paused) return 'paused';
    if (!live.sourceKeys().includes(source)) return 'not-a-source';
    const latest: LatestResult = { status: result.status, latencyMs: result.latencyMs, message: result.message, checkedAt };
    const previous = live.sources.get(source);
    const newest = !previous || previous.checkedAt <= checkedAt;
    if (newest) this.noteLatest(live, source, latest);
    // The server that decides the monitor credits the time it held its state; another one counts the check only.
    const decides = this.cluster.decides(monitorId);
    const deltas = live.buckets.record(
      { at: checkedAt, status: result.status, latencyMs: result.latencyMs },
      decides ? live.held : null,
      decides ? staleAfterMs(live.intervalMs) : 0,
    );
    const accepted = this.writer.push({
      result: {
        monitorId,
        source,
        checkedAt,
        status: result.status,
        latencyMs: result.latencyMs,
        message: result.message,
        details: result.details ? JSON.stringify(result.details) : null,
      },
      source: newest ? { monitorId, source, ...latest } : null,
      deltas,
      stored,
    });
    if (!accepted) {
      this.logger.warn(`result of monitor ${monitorId} (${source}) dropped: the database has been failing and the write queue is full`);
      return 'overloaded';
    }
    // A replayed old result is history: the state follows the newest result of each source.
    if (newest) this.evaluate(live, Math.max(checkedAt, this.clock.now()));
    return null;
  }

  /** The check tasks of the monitors a poller checks (not paused), by id: what GET /api/poller/tasks serves. */
  tasksFor(pollerId: number): CheckTask[] {
    const tasks: CheckTask[] = [];
    for (const live of this.live.values()) {
      if (!live.monitor.paused && live.monitor.pollers.includes(pollerId)) tasks.push(checkTaskOf(live.monitor));
    }
    return tasks.sort((a, b) => a.id - b.id);
  }

  /** Ids of every monitor a poller checks (paused ones too), ascending. */
  monitorsCheckedBy(pollerId: number): number[] {
    const ids: number[] = [];
    for (const live of this.live.values()) if (live.monitor.pollers.includes(pollerId)) ids.push(live.monitor.id);
    return ids.sort((a, b) => a - b);
  }

  /** Whether a poller checks this monitor now. */
  isCheckedBy(monitorId: number, pollerId: number): boolean {
    return this.live.get(monitorId)?.monitor.pollers.includes(pollerId) ?? false;
  }

  /** The monitor's pollers changed (assignment, a poller deleted): sources that left are forgotten, the state looked at again. */
  setPollers(monitorId: number, pollers: number[]): void {
    const live = this.live.get(monitorId);
    if (!live) return;
    live.monitor.pollers = [...pollers];
    this.forgetLeftSources(live);
    this.reevaluate(monitorId);
  }

  private forgetLeftSources(live: LiveMonitor): void {
    const keep = new Set(live.sourceKeys());
    for (const source of [...live.sources.keys()]) {
      if (keep.has(source)) continue;
      live.sources.delete(source);
      this.staleness.remove(`${live.monitor.id}|${source}`);
    }
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
    this.startListeners.push(listener);
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private toLive(monitor: Monitor, incidentOpen: boolean): LiveMonitor {
    return new LiveMonitor(
      monitor,
      this.prepare(monitor),
      {
        status: monitor.status,
        since: monitor.lastChangeAt,
        incidentNumber: monitor.incidentNumber,
        incidentOpen,
      },
      this.directory,
    );
  }

  /** Looks up the plugin and validates the options, once per load or edit; a monitor whose type or options do not work shows as down. */
  private prepare(monitor: Monitor): PreparedCheck {
    const check = this.runner.prepare(checkTaskOf(monitor));
    if (check.problem?.reason === 'unknown-type')
      this.logger.warn(`monitor ${monitor.id} "${monitor.name}": no check plugin "${monitor.type}" is installed; it will show as down`);
    else if (check.problem)
      this.logger.warn(`monitor ${monitor.id} "${monitor.name}": its options no longer validate; it will show as down`);
    return check;
  }

  /** Hands the public source's check to the runner (where this server decides the monitor). */
  private schedule(live: LiveMonitor, options: Parameters<CheckRunner['upsert']>[1]): void {
    if (!this.cluster.decides(live.monitor.id)) {
      this.runner.remove(live.monitor.id);
      return;
    }
    this.runner.upsert(live.check, options);
  }

  /** The check runner started a check of the public source. */
  onCheckStart(_task: unknown, dueAt: number, startedAt: number): void {
    this.startDelays.observe(Math.max(0, startedAt - dueAt) / 1000);
    for (const listener of this.startListeners) listener(dueAt, startedAt);
  }

  /** The check runner's confirmed result of the public source: recorded like any source's. */
  onCheckOutcome(outcome: CheckOutcome): void {
    const live = this.live.get(outcome.task.id);
    if (!live) return;
    this.checks.inc({ type: live.monitor.type, status: outcome.result.status });
    this.durations.observe({ type: live.monitor.type }, (outcome.finishedAt - outcome.startedAt) / 1000);
    const result =
      outcome.attempts > 1 ? { ...outcome.result, details: { ...outcome.result.details, attempts: outcome.attempts } } : outcome.result;
    this.recordResult(live.monitor.id, PUBLIC_SOURCE, result, this.clock.now());
  }

  private noteLatest(live: LiveMonitor, source: string, latest: LatestResult): void {
    live.sources.set(source, { status: latest.status, latencyMs: latest.latencyMs, message: latest.message, checkedAt: latest.checkedAt });
    this.staleness.schedule(`${live.monitor.id}|${source}`, latest.checkedAt + staleAfterMs(live.intervalMs) + 1);
  }

  private evaluate(live: LiveMonitor, at: number): void {
    if (!this.cluster.decides(live.monitor.id)) return;
    const { status, message } = live.aggregate(at);
    const to: MonitorState = this.maintenance.isInMaintenance(live.monitor.id, at) ? 'maintenance' : status;
    live.held = to;
    // Before the change: flap detection must have seen this result when the change is judged.
    this.events.emit('monitor.evaluated', { monitorId: live.monitor.id, state: to, at });
    this.change(live, to, message, at);
  }

  private change(live: LiveMonitor, to: MonitorState, message: string, at: number, admin = false): void {
    const change = nextState(live.state, to, at, message);
    if (!change) return;
    live.state = change.next;
    live.monitor.status = to;
    // Readers see the state and its message together, before the state writer stores them.
    live.monitor.statusMessage = message;
    live.monitor.lastChangeAt = at;
    const monitorId = live.monitor.id;
    if (!this.stateWriter.push({ monitorId, change, admin }))
      this.logger.error(
        `state change of monitor ${monitorId} to ${to} not recorded: the database has been failing and the write queue is full`,
      );
    this.logger.log(`monitor ${monitorId} "${live.monitor.name}": ${change.from} → ${to}${message ? ` (${message})` : ''}`);
    this.events.emit('monitor.state-changed', {
      monitorId,
      name: live.monitor.name,
      type: live.monitor.type,
      target: live.monitor.target,
      from: change.from,
      to,
      incidentNumber: change.next.incidentNumber,
      message,
      at,
      since: change.since,
      sources: live.sourceStatuses(at),
      alerts: live.monitor.alerts,
    });
  }

  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    // Results of a monitor deleted since they were queued are dropped, not written as orphans.
    const items = batch.filter((item) => this.live.has(item.result.monitorId));
    for (const item of batch) if (!this.live.has(item.result.monitorId)) item.stored?.(null);
    const latestSources = new Map<string, MonitorSource>();
    for (const { source } of items) {
      if (!source) continue;
      const key = `${source.monitorId}|${source.source}`;
      const known = latestSources.get(key);
      if (!known || known.checkedAt <= source.checkedAt) latestSources.set(key, source);
    }
    const isNew = await this.results.writeBatch(
      items.map((item) => ({ row: item.result, deltas: item.deltas })),
      [...latestSources.values()],
    );
    items.forEach((item, index) => item.stored?.(isNew[index]!));
    this.cluster.resultsWritten([...new Set(items.map((item) => item.result.monitorId))]);
  }

  /**
   * State changes in order, in one transaction. Several servers: only those of monitors this server still
   * holds (and a user's pause or resume, from any server) are written; the others are told.
   */
  private async writeChanges(changes: PendingChange[]): Promise<void> {
    if (this.cluster === SOLE) return this.monitors.applyChanges(changes);
    await this.monitors.applyChanges(changes, async (manager) => {
      const decided = [...new Set(changes.filter((item) => !item.admin).map((item) => item.monitorId))];
      const writable = await this.cluster.writableStates(manager, decided);
      const kept = changes.filter((item) => item.admin || writable.has(item.monitorId));
      if (kept.length < changes.length)
        this.logger.warn(`${changes.length - kept.length} state change(s) not written: another server decides those monitors now`);
      await this.cluster.statesWritten([...new Set(kept.map((item) => item.monitorId))], manager);
      return kept;
    });
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
      if (live && seen.has(source.monitorId)) this.learn(live, source);
    }
    for (const id of [...this.live.keys()]) if (inShard(id) && !seen.has(id)) this.remove(id);
  }

  /** This server decides these monitors now: their public checks are scheduled where the previous holder left off. */
  startDeciding(inShard: (id: number) => boolean): void {
    for (const live of this.live.values()) {
      if (!inShard(live.monitor.id) || live.monitor.paused) continue;
      live.buckets.stopAccounting();
      const publicResult = live.sources.get(PUBLIC_SOURCE);
      this.schedule(live, { runSoon: false, lastCheckedAt: publicResult?.checkedAt ?? null, lastResult: publicResult ?? null });
    }
  }

  /** This server no longer decides these monitors: their checks stop here. */
  stopDeciding(inShard: (id: number) => boolean): void {
    for (const id of this.live.keys()) if (inShard(id)) this.runner.remove(id);
  }

  /** Writes what is queued (results, state changes) now. */
  flushWrites(): Promise<void> {
    return this.settle();
  }

  /** How many monitors `inShard` selects that are checked here. */
  scheduledCount(): number {
    return this.runner.size;
  }

  /**
   * Another server recorded results or changed states: this server's copy follows (the deciding server
   * judges the monitor again with the newer results). Monitors unknown here are added.
   */
  learnSources(sources: readonly MonitorSource[]): void {
    const touched = new Set<LiveMonitor>();
    for (const source of sources) {
      const live = this.live.get(source.monitorId);
      if (live && this.learn(live, source)) touched.add(live);
    }
    const now = this.clock.now();
    for (const live of touched) if (!live.monitor.paused) this.evaluate(live, now);
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
      live.check = this.prepare(live.monitor);
      this.events.emit('monitor.mirrored', { monitorId: monitor.id, state: monitor.status });
      return;
    }
    // Decided here: settings (and a pause or resume made on another server) apply; the state stays this server's.
    if (monitor.paused && !wasPaused) void this.pause(monitor.id);
    else if (!monitor.paused && wasPaused) void this.resume(monitor.id);
    else if (what === 'settings') this.replace(monitor);
  }

  private learn(live: LiveMonitor, source: MonitorSource): boolean {
    const known = live.sources.get(source.source);
    if (known && known.checkedAt >= source.checkedAt) return false;
    if (!live.sourceKeys().includes(source.source)) return false;
    this.noteLatest(live, source.source, {
      status: source.status,
      latencyMs: source.latencyMs,
      message: source.message,
      checkedAt: source.checkedAt,
    });
    return true;
  }
}

/** A reported result the monitor does not take (it is gone, paused, or not checked from that source). */
export class RecordRefused extends Error {
  override name = 'RecordRefused';
  constructor(readonly refusal: RecordRefusal) {
    super(refusal);
  }
}
