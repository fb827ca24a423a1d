import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { AlarmBook, type AlarmRecord } from '../alarms/alarm-book.js';
import type { AlarmDefinition } from '../alarms/alarm-pattern.js';
import { PulseConfig } from '../config/config.schema.js';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Clock } from '../runtime/clock.js';
import { DueTimer } from '../scheduler/due-timer.js';
import { timersWithClock } from '../scheduler/timers.js';
import { isForgettable } from './forget-unseen.js';
import type { ServiceStateChanged } from './heartbeat.events.js';
import { HeartbeatMaintenance } from './heartbeat-maintenance.js';
import { HeartbeatRepository } from './heartbeat.repository.js';
import { HeartbeatStore } from './heartbeat-store.js';
import { ServiceRecord, type ServiceState } from './service-record.js';

export type Transport = 'udp' | 'tcp' | 'http';

/** What a beat-like command changes besides (optionally) beating. */
export interface ServiceUpdate {
  beat: boolean;
  timeoutMs?: number;
  minIntervalMs?: number;
}

type Reason = ServiceStateChanged['reason'];

const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * The heartbeat state engine. Memory is authoritative for every decision; HeartbeatStore saves changes
 * in batches. Deadlines sit in a DueTimer (one timer for all), so idle services cost nothing until due.
 */
@Injectable()
export class HeartbeatEngine implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeats');
  readonly services = new Map<string, ServiceRecord>();
  readonly alarms: AlarmBook;
  private readonly deadlines: DueTimer<string>;
  private errorCount = 0;
  /** Beats per transport, counted as plain numbers on the hot path and handed to Prometheus on scrape. */
  private readonly beatsBy: Record<Transport, number> = { udp: 0, tcp: 0, http: 0 };
  private readonly refusedCounter: Counter;
  private refusedSinceLog = 0;
  private lastRefusalLog = -Infinity;
  /** Beats accepted since start (for `[metrics]`). */
  beatsTotal = 0;

  constructor(
    private readonly config: PulseConfig,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly store: HeartbeatStore,
    private readonly repository: HeartbeatRepository,
    private readonly maintenance: HeartbeatMaintenance,
    metrics: MetricsService,
  ) {
    this.deadlines = new DueTimer<string>(
      (now) => this.expireDue(now),
      timersWithClock(() => clock.now()),
    );
    const beatsBy = this.beatsBy;
    const reported: Record<Transport, number> = { udp: 0, tcp: 0, http: 0 };
    metrics.counter({
      name: 'pulse_heartbeat_beats_total',
      help: 'Heartbeat beats accepted',
      labelNames: ['transport'],
      collect() {
        for (const transport of ['udp', 'tcp', 'http'] as const) {
          this.inc({ transport }, beatsBy[transport] - reported[transport]);
          reported[transport] = beatsBy[transport];
        }
      },
    });
    this.refusedCounter = metrics.counter({
      name: 'pulse_heartbeat_services_refused_total',
      help: 'Commands for new service names refused because [heartbeat] max_services was reached',
    });
    const services = this.services;
    metrics.gauge({
      name: 'pulse_heartbeat_services',
      help: 'Heartbeat services by state',
      labelNames: ['state'],
      collect() {
        const counts: Record<ServiceState, number> = { new: 0, ok: 0, error: 0, muted: 0, maintenance: 0 };
        for (const service of services.values()) counts[service.state]++;
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
    this.alarms = new AlarmBook({
      changed: (alarm) => store.alarmChanged(alarm.name),
      removed: (name) => store.alarmChanged(name),
      stateChanged: (event) => events.emit('alarm.state-changed', event),
    });
    store.attach({ service: (name) => this.services.get(name), alarm: (name) => this.alarms.alarms.get(name) });
  }

  /** Restores every service, alarm and deadline; services whose deadline passed while Pulse was down go to error. */
  async onModuleInit(): Promise<void> {
    const [definitions, alarmRows, serviceRows] = await Promise.all([
      this.repository.loadDefinitions(),
      this.repository.loadAlarms(),
      this.repository.loadServices(),
    ]);
    const fromApi: AlarmDefinition[] = definitions.map((row) => ({
      name: row.name,
      pattern: row.pattern,
      includes: JSON.parse(row.includes) as string[],
      excludes: JSON.parse(row.excludes) as string[],
      alerts: JSON.parse(row.alerts) as string[],
      source: 'api',
    }));
    this.alarms.setDefinitions([
      ...this.configDefinitions(),
      ...fromApi.filter((api) => !this.config.alarms.some((alarm) => alarm.name === api.name)),
    ]);
    this.alarms.restore(alarmRows);
    const now = this.clock.now();
    for (const row of serviceRows) {
      const service = ServiceRecord.fromEntity(row);
      this.services.set(service.name, service);
      if (service.state === 'error') this.errorCount++;
      this.alarms.join(service, now, true);
    }
    for (const name of this.alarms.finishRestore()) this.store.alarmChanged(name);
    this.alarms.evaluateAll(now);
    for (const service of this.services.values()) this.settle(service, now, 'restart');
    this.logger.log(`restored ${this.services.size} heartbeat service(s) and ${this.alarms.alarms.size} alarm(s)`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.deadlines.stop();
    await this.store.close();
  }

  get errorServices(): number {
    return this.errorCount;
  }

  /** A beat and/or new settings for a service, created if new. False when refused (max_services). */
  update(name: string, update: ServiceUpdate, transport: Transport): boolean {
    const now = this.clock.now();
    const service = this.obtain(name, now, transport);
    if (!service) return false;
    let reason: Reason = 'config';
    if (update.timeoutMs !== undefined) service.timeoutMs = update.timeoutMs;
    if (update.minIntervalMs !== undefined) service.minIntervalMs = update.minIntervalMs;
    if (update.beat) {
      const sincePrevious = service.recordBeat(now);
      if (service.runStartedAt !== null || service.problem === 'failed') {
        service.recordRun({
          started_at: service.runStartedAt,
          ended_at: now,
          duration_ms: service.runStartedAt === null ? null : now - service.runStartedAt,
          result: 'ok',
        });
        service.runStartedAt = null;
      }
      const tooOften = service.minIntervalMs > 0 && sincePrevious >= 0 && sincePrevious < service.minIntervalMs;
      service.problem = tooOften ? 'too_often' : null;
      service.deadlineRestartedAt = -1;
      reason = tooOften ? 'too_often' : 'beat';
      this.beatsTotal++;
      this.beatsBy[transport]++;
    }
    this.settle(service, now, reason);
    return true;
  }

  /** `.start`: a job run begins; its duration is recorded at the next beat or `.fail`. */
  start(name: string, transport: Transport): boolean {
    const now = this.clock.now();
    const service = this.obtain(name, now, transport);
    if (!service) return false;
    service.runStartedAt = now;
    this.store.serviceChanged(name);
    return true;
  }

  /** `.fail`: the job says it failed; the service is in error until its next beat. */
  fail(name: string, transport: Transport): boolean {
    const now = this.clock.now();
    const service = this.obtain(name, now, transport);
    if (!service) return false;
    service.recordRun({
      started_at: service.runStartedAt,
      ended_at: now,
      duration_ms: service.runStartedAt === null ? null : now - service.runStartedAt,
      result: 'failed',
    });
    service.runStartedAt = null;
    service.problem = 'failed';
    this.settle(service, now, 'failed');
    return true;
  }

  mute(service: ServiceRecord): void {
    if (service.mutedSince !== null) return;
    const now = this.clock.now();
    service.mutedSince = now;
    this.settle(service, now, 'muted');
  }

  unmute(service: ServiceRecord): void {
    if (service.mutedSince === null) return;
    service.mutedSince = null;
    this.settle(service, this.clock.now(), 'unmuted');
  }

  remove(service: ServiceRecord): void {
    const now = this.clock.now();
    if (service.state === 'error') this.errorCount--;
    this.services.delete(service.name);
    this.deadlines.remove(service.name);
    this.alarms.leave(service, now);
    this.store.serviceChanged(service.name);
  }

  /** Removes every service `matches` selects; returns their names, sorted. */
  removeMatching(matches: (name: string) => boolean): string[] {
    const names = this.serviceNames(matches).sort();
    for (const name of names) this.remove(this.services.get(name)!);
    return names;
  }

  /** Forgets the strays heard from once and silent for `silentForMs` (see isForgettable); returns their names. */
  forgetUnseen(silentForMs: number, now = this.clock.now()): string[] {
    const names = this.serviceNames((name) =>
      isForgettable(this.services.get(name)!, now, silentForMs, (n) => this.alarms.namesExactly(n)),
    ).sort();
    for (const name of names) this.remove(this.services.get(name)!);
    return names;
  }

  /** Names of the services `matches` selects (maintenance windows use it to find what they cover). */
  serviceNames(matches: (name: string) => boolean): string[] {
    return [...this.services.keys()].filter(matches);
  }

  /** A maintenance window began: these services take the `maintenance` state (and lose their deadline). */
  enterMaintenance(names: Iterable<string>): void {
    const now = this.clock.now();
    for (const name of names) {
      const service = this.services.get(name);
      if (service) this.settle(service, now, 'maintenance');
    }
  }

  /**
   * A maintenance window ended: these services start afresh. Their deadlines count from `from` (the
   * window's end) and a `.fail` or too-early beat reported during the window is forgotten.
   */
  restartDeadlines(names: Iterable<string>, from: number): void {
    for (const name of names) {
      const service = this.services.get(name);
      if (!service) continue;
      service.deadlineRestartedAt = from;
      service.problem = null;
      this.settle(service, this.clock.now(), 'maintenance');
    }
  }

  /** Turns services whose deadline has passed to error (the timer calls this; tests may too). */
  expireDue(now = this.clock.now()): void {
    for (const { key } of this.deadlines.takeDue(now)) {
      const service = this.services.get(key);
      if (service) this.settle(service, now, 'timeout');
    }
  }

  /** Alarm definitions changed: every service's membership is worked out again. */
  setApiDefinitions(fromApi: AlarmDefinition[]): void {
    this.alarms.setDefinitions([...this.configDefinitions(), ...fromApi]);
    const now = this.clock.now();
    for (const service of this.services.values()) this.alarms.rejoin(service, now);
  }

  alarmServices(alarm: AlarmRecord): ServiceRecord[] {
    return [...alarm.members].map((name) => this.services.get(name)!).filter(Boolean);
  }

  configDefinitions(): AlarmDefinition[] {
    return this.config.alarms.map((alarm) => ({ ...alarm, source: 'config' as const }));
  }

  flush(): Promise<void> {
    return this.store.flush();
  }

  private obtain(name: string, now: number, transport: Transport): ServiceRecord | null {
    const existing = this.services.get(name);
    if (existing) return existing;
    if (this.services.size >= this.config.heartbeat.max_services) {
      this.refuse(name, now, transport);
      return null;
    }
    const service = new ServiceRecord(name, now);
    this.services.set(name, service);
    this.alarms.join(service, now);
    return service;
  }

  private refuse(name: string, now: number, transport: Transport): void {
    this.refusedCounter.inc();
    this.refusedSinceLog++;
    this.logger.debug(
      `refused new service "${name}" over ${transport}: [heartbeat] max_services (${this.config.heartbeat.max_services}) reached`,
    );
    if (now - this.lastRefusalLog >= REFUSAL_LOG_INTERVAL_MS) {
      this.logger.warn(
        `[heartbeat] max_services (${this.config.heartbeat.max_services}) reached: refused ${this.refusedSinceLog} command(s) for new service names ` +
          `(latest "${name}" over ${transport}). Delete unused services or raise the limit.`,
      );
      this.lastRefusalLog = now;
      this.refusedSinceLog = 0;
    }
  }

  /** Applies the rules at `now`: state change (events, alarms), deadline, save. */
  private settle(service: ServiceRecord, now: number, reason: Reason): void {
    const inMaintenance = this.maintenance.covers(service.name, now);
    const state = service.evaluate(now, inMaintenance);
    const changed = state !== service.state;
    if (changed) this.changeState(service, state, now, reason);
    const deadline = service.state === 'ok' ? service.deadline() : null;
    if (deadline === null) this.deadlines.remove(service.name);
    else this.deadlines.schedule(service.name, deadline);
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
      alarms: service.alarms,
    });
    this.alarms.serviceStateChanged(service, to, now);
  }
}
