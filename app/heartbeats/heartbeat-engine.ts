import { Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HeartbeatSection } from '../config/config.schema.js';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Clock } from '../runtime/clock.js';
import { DueTimer } from '../scheduler/due-timer.js';
import { timersWithClock } from '../scheduler/timers.js';
import { isForgettable } from './forget-unseen.js';
import { applyFail, applyUpdate, type ForwardedCommand, type Reason, type ServiceUpdate, type Transport } from './heartbeat-commands.js';
import type { HeartbeatServiceEntity } from './heartbeat-service.entity.js';
import { HeartbeatMaintenance } from './heartbeat-maintenance.js';
import { HeartbeatMetrics } from './heartbeat-metrics.js';
import { HeartbeatReplica } from './heartbeat-replica.js';
import { HeartbeatRepository } from './heartbeat.repository.js';
import { HeartbeatStore } from './heartbeat-store.js';
import { ServiceDirectory } from './service-directory.js';
import { NO_GROUPS, ServiceGroups } from './service-groups.js';
import { ServiceRecord, type ServiceSnapshot, type ServiceState } from './service-record.js';

/**
 * How the engine takes part in a cluster (set by HeartbeatCluster on PostgreSQL; without it this server
 * decides every service): whether this server decides a service, where commands for the others go, and
 * how long past a deadline to wait before judging it (a beat taken by another server may be on its way).
 */
export interface EngineCluster {
  decides(name: string): boolean;
  forward(command: ForwardedCommand): void;
  judgeGraceMs(): number;
}

const SOLE: EngineCluster = { decides: () => true, forward: () => undefined, judgeGraceMs: () => 0 };

/**
 * The heartbeat state engine. Memory is authoritative for every decision; HeartbeatStore saves changes
 * in batches. Deadlines sit in a DueTimer (one timer for all), so idle services cost nothing until due.
 * Only its commands change services; everyone else reads them through `services` (read-only) or the
 * ServicesQuery. Alarms group services through the ServiceGroups port. With several servers, HeartbeatReplica
 * keeps this server's copies in step through operations the engine hands it alone.
 */
@Injectable()
export class HeartbeatEngine implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeats');
  private readonly directory = new ServiceDirectory();
  private readonly groups: ServiceGroups;
  private readonly deadlines: DueTimer<string>;
  private errorCount = 0;
  private readonly metrics: HeartbeatMetrics;
  private cluster: EngineCluster = SOLE;
  /** Several servers: how this server's copy follows the others (HeartbeatCluster uses it). */
  readonly replica: HeartbeatReplica;

  constructor(
    private readonly settings: HeartbeatSection,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly store: HeartbeatStore,
    private readonly repository: HeartbeatRepository,
    private readonly maintenance: HeartbeatMaintenance,
    metrics: MetricsService,
    @Optional() groups?: ServiceGroups,
  ) {
    this.groups = groups ?? NO_GROUPS;
    this.deadlines = new DueTimer<string>(
      (now) => this.expireDue(now),
      timersWithClock(() => clock.now()),
    );
    this.metrics = new HeartbeatMetrics(settings, metrics, this.directory);
    store.attach((name) => this.directory.record(name));
    this.replica = new HeartbeatReplica(
      {
        record: (name) => this.directory.record(name),
        records: () => this.directory.records(),
        decides: (name) => this.cluster.decides(name),
        obtain: (name, at, transport) => this.obtain(name, at, transport),
        settle: (service, now, reason) => this.settle(service, now, reason),
        forget: (service, now) => this.forget(service, now),
        adopt: (row, now, tell) => this.adopt(row, now, tell),
        judgeAt: (name, at) => this.deadlines.schedule(name, at),
        stopJudging: (name) => this.deadlines.remove(name),
      },
      clock,
    );
  }

  /** Every service, read-only (the engine's commands are the only way to change one). */
  get services(): ReadonlyMap<string, ServiceSnapshot> {
    return this.directory;
  }

  /** Every service in name order (or reversed), read-only, without sorting per call (ServiceDirectory keeps the order). */
  inNameOrder(descending = false): IterableIterator<ServiceSnapshot> {
    return this.directory.inOrder(descending);
  }

  /** `count` services from `offset` on, in name order (or reversed), read-only. */
  sliceInNameOrder(offset: number, count: number, descending = false): ServiceSnapshot[] {
    return this.directory.slice(offset, count, descending);
  }

  /**
   * Restores every service and deadline (and, through the groups, every alarm); services whose deadline
   * passed while Pulse was down go to error. With several servers that is judged as this server is handed
   * the services (HeartbeatCluster: `judge`).
   */
  async onModuleInit(): Promise<void> {
    // Windows first: a service saved inside a window that is still on comes back inside it.
    const [serviceRows] = await Promise.all([this.repository.loadServices(), this.groups.load(), this.maintenance.ready()]);
    const now = this.clock.now();
    for (const row of serviceRows) {
      const service = ServiceRecord.fromEntity(row);
      this.directory.add(service);
      if (service.state === 'error') this.errorCount++;
      service.alarms = this.groups.join(service, now, true);
    }
    this.groups.restored(now);
    // One server: every service is judged now. Several: each as this server is handed it (judge).
    if (this.cluster === SOLE) for (const service of this.directory.records()) this.settle(service, now, 'restart');
    this.logger.log(`restored ${this.directory.size} heartbeat service(s)`);
  }

  /** Several servers: who decides what (HeartbeatCluster). */
  attachCluster(cluster: EngineCluster): void {
    this.cluster = cluster;
  }

  /** Whether this server decides the service now (judges its deadline, saves it). */
  decides(name: string): boolean {
    return this.cluster.decides(name);
  }

  async onApplicationShutdown(): Promise<void> {
    this.deadlines.stop();
    await this.store.close();
  }

  get errorServices(): number {
    return this.errorCount;
  }

  /** Beats accepted since start (for `[metrics]`). */
  get beatsTotal(): number {
    return this.metrics.beatsTotal;
  }

  /** A beat and/or new settings for a service, created if new. False when refused (max_services). */
  update(name: string, update: ServiceUpdate, transport: Transport): boolean {
    const now = this.clock.now();
    const service = this.obtain(name, now, transport);
    if (!service) return false;
    const reason = applyUpdate(service, update, now);
    if (update.beat) this.metrics.beat(transport);
    if (this.cluster.decides(name)) this.settle(service, now, reason);
    else
      this.cluster.forward({
        name,
        command: update.beat ? 'beat' : 'config',
        at: now,
        timeoutMs: update.timeoutMs,
        minIntervalMs: update.minIntervalMs,
        transport,
      });
    return true;
  }

  /** `.start`: a job run begins; its duration is recorded at the next beat or `.fail`. */
  start(name: string, transport: Transport): boolean {
    const now = this.clock.now();
    const service = this.obtain(name, now, transport);
    if (!service) return false;
    service.runStartedAt = now;
    if (this.cluster.decides(name)) this.store.serviceChanged(name);
    else this.cluster.forward({ name, command: 'start', at: now, transport });
    return true;
  }

  /** `.fail`: the job says it failed; the service is in error until its next beat. */
  fail(name: string, transport: Transport): boolean {
    const now = this.clock.now();
    const service = this.obtain(name, now, transport);
    if (!service) return false;
    applyFail(service, now);
    if (this.cluster.decides(name)) this.settle(service, now, 'failed');
    else this.cluster.forward({ name, command: 'fail', at: now, transport });
    return true;
  }

  /** Mutes a service (false when there is none of that name). */
  mute(name: string): boolean {
    const service = this.directory.record(name);
    if (!service) return false;
    if (service.mutedSince !== null) return true;
    const now = this.clock.now();
    service.mutedSince = now;
    if (this.cluster.decides(name)) this.settle(service, now, 'muted');
    else this.cluster.forward({ name, command: 'mute', at: now, transport: 'http' });
    return true;
  }

  /** Unmutes a service (false when there is none of that name). */
  unmute(name: string): boolean {
    const service = this.directory.record(name);
    if (!service) return false;
    if (service.mutedSince === null) return true;
    service.mutedSince = null;
    const now = this.clock.now();
    if (this.cluster.decides(name)) this.settle(service, now, 'unmuted');
    else this.cluster.forward({ name, command: 'unmute', at: now, transport: 'http' });
    return true;
  }

  /** Deletes a service (false when there is none of that name). */
  remove(name: string): boolean {
    const service = this.directory.record(name);
    if (!service) return false;
    const now = this.clock.now();
    this.forget(service, now);
    if (this.cluster.decides(name)) this.store.serviceChanged(name);
    else this.cluster.forward({ name, command: 'delete', at: now, transport: 'http' });
    return true;
  }

  /** Takes a service out of memory (deleted here, or by the server that decides it). */
  private forget(service: ServiceRecord, now: number): void {
    if (service.state === 'error') this.errorCount--;
    this.directory.delete(service.name);
    this.deadlines.remove(service.name);
    this.groups.leave(service, now);
  }

  /** Removes every service `matches` selects; returns their names, sorted. */
  removeMatching(matches: (name: string) => boolean): string[] {
    const names = this.serviceNames(matches);
    for (const name of names) this.remove(name);
    return names;
  }

  /** Forgets the strays heard from once and silent for `silentForMs` (see isForgettable); returns their names. */
  forgetUnseen(silentForMs: number, now = this.clock.now()): string[] {
    const names = this.serviceNames(
      (name) =>
        this.cluster.decides(name) && isForgettable(this.directory.get(name)!, now, silentForMs, (n) => this.groups.namesExactly(n)),
    );
    for (const name of names) this.remove(name);
    return names;
  }

  /** Names of the services `matches` selects, sorted (maintenance windows use it to find what they cover). */
  serviceNames(matches: (name: string) => boolean): string[] {
    return this.directory.sortedNames().filter(matches);
  }

  /** A maintenance window began: these services take the `maintenance` state (and lose their deadline). */
  enterMaintenance(names: Iterable<string>): void {
    const now = this.clock.now();
    for (const name of names) {
      const service = this.directory.record(name);
      if (service) this.settle(service, now, 'maintenance');
    }
  }

  /**
   * A maintenance window ended: these services start afresh. Their deadlines count from `from` (the
   * window's end) and a `.fail` or too-early beat reported during the window is forgotten.
   */
  restartDeadlines(names: Iterable<string>, from: number): void {
    for (const name of names) {
      const service = this.directory.record(name);
      if (!service) continue;
      service.deadlineRestartedAt = from;
      service.problem = null;
      this.settle(service, this.clock.now(), 'maintenance');
    }
  }

  /** Turns services whose deadline has passed to error (the timer calls this; tests may too). */
  expireDue(now = this.clock.now()): void {
    for (const { key } of this.deadlines.takeDue(now)) {
      const service = this.directory.record(key);
      if (service && this.cluster.decides(key)) this.settle(service, now, 'timeout');
    }
  }

  /** The groups (alarm definitions) changed: every service's membership is worked out again. */
  regroup(): void {
    const now = this.clock.now();
    for (const service of this.directory.records()) service.alarms = this.groups.rejoin(service, now);
  }

  flush(): Promise<void> {
    return this.store.flush();
  }

  /** Several servers: what the database holds for a service replaces this server's copy (HeartbeatReplica). */
  private adopt(row: HeartbeatServiceEntity, now: number, tell: boolean): void {
    let service = this.directory.record(row.name);
    if (!service) {
      service = ServiceRecord.fromEntity(row);
      this.directory.add(service);
      if (service.state === 'error') this.errorCount++;
      service.alarms = this.groups.join(service, now, false);
      if (tell) this.events.emit('service.mirrored', { name: service.name, state: service.state });
      return;
    }
    const from = service.state;
    service.assign(row);
    if (from === service.state) return;
    if (from === 'error') this.errorCount--;
    if (service.state === 'error') this.errorCount++;
    this.groups.stateChanged(service, now);
    if (tell) this.events.emit('service.mirrored', { name: service.name, state: service.state });
  }

  private obtain(name: string, now: number, transport: Transport): ServiceRecord | null {
    const existing = this.directory.record(name);
    if (existing) return existing;
    if (this.directory.size >= this.settings.max_services) {
      this.metrics.refused(name, now, transport);
      return null;
    }
    const service = new ServiceRecord(name, now);
    this.directory.add(service);
    service.alarms = this.groups.join(service, now, false);
    return service;
  }

  /** Applies the rules at `now`: state change (events, alarms), deadline, save. Only where the service is decided. */
  private settle(service: ServiceRecord, now: number, reason: Reason): void {
    if (!this.cluster.decides(service.name)) return;
    const inMaintenance = this.maintenance.covers(service.name, now);
    const state = service.evaluate(now, inMaintenance);
    const changed = state !== service.state;
    if (changed) this.changeState(service, state, now, reason);
    const deadline = service.state === 'ok' ? service.deadline() : null;
    if (deadline === null) this.deadlines.remove(service.name);
    else this.deadlines.schedule(service.name, deadline + this.cluster.judgeGraceMs());
    // A restart re-reads what was saved: only a state that changed meanwhile needs writing back.
    if (changed || reason !== 'restart') this.store.serviceChanged(service.name);
  }

  private changeState(service: ServiceRecord, to: ServiceState, now: number, reason: Reason): void {
    const from = service.state;
    const since = service.lastStateChange;
    if (from === 'error') this.errorCount--;
    if (to === 'error') this.errorCount++;
    service.state = to;
    service.lastStateChange = now;
    this.events.emit('service.state-changed', {
      name: service.name,
      from,
      to,
      at: now,
      since,
      reason,
      lastBeat: service.lastBeat,
      timeoutMs: service.timeoutMs,
      effectiveTimeoutMs: service.effectiveTimeout(),
      alarms: [...service.alarms],
      written: this.store.stateChanged(service.name),
    });
    this.groups.stateChanged(service, now);
  }
}
