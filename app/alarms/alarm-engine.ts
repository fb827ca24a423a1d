import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ServerConfig } from '../config/config.schema.js';
import { DirtyRows } from '../database/dirty-rows.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { EventBus } from '../events/pulse-events.js';
import { SAVE_WINDOW_MS } from '../heartbeats/heartbeat-store.js';
import { ServiceGroups } from '../heartbeats/service-groups.js';
import type { ServiceSnapshot } from '../heartbeats/service-record.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { AlarmBook, type AlarmSnapshot } from './alarm-book.js';
import type { HeartbeatAlarmEntity } from './alarm.entity.js';
import './alarm.events.js';
import type { AlarmDefinition } from './alarm-pattern.js';
import { AlarmRepository } from './alarm.repository.js';

/**
 * The heartbeat alarms in memory (SPEC §6): definitions from `[[alarms]]` and the API, the alarms made
 * from them, and their saving. The heartbeat engine tells it of every service through the ServiceGroups
 * port; alarms change only here, everyone else reads them through `all` or the AlarmsQuery.
 */
@Injectable()
export class AlarmEngine implements ServiceGroups, OnApplicationShutdown {
  private readonly logger = new Logger('Alarms');
  private readonly book: AlarmBook;
  private readonly rows: DirtyRows<HeartbeatAlarmEntity>;

  constructor(
    private readonly config: ServerConfig,
    private readonly repository: AlarmRepository,
    private readonly events: EventBus,
    metrics: MetricsService,
    storage: StorageHealth,
  ) {
    this.rows = new DirtyRows<HeartbeatAlarmEntity>({
      name: 'alarm changes',
      flushIntervalMs: SAVE_WINDOW_MS,
      maxBatchSize: 5000,
      maxPending: 100_000,
      logger: this.logger,
      storage,
      metrics: writeQueueMetrics(metrics, 'alarms', () => this.rows.pendingCount),
      current: (name) => this.book.record(name)?.toEntity(),
      save: (alarms, deleted) => this.save(alarms, deleted),
    });
    this.book = new AlarmBook({
      changed: (alarm) => this.changed(alarm.name),
      removed: (name) => this.changed(name),
      stateChanged: (event) => events.emit('alarm.state-changed', event),
    });
  }

  /** Every alarm, read-only. */
  get all(): ReadonlyMap<string, AlarmSnapshot> {
    return this.book.all;
  }

  get(name: string): AlarmSnapshot | undefined {
    return this.book.all.get(name);
  }

  /** Changes whenever an alarm is made or deleted. */
  get version(): number {
    return this.book.version;
  }

  /** Config definitions first, then the API's (a name in both: the config's wins). */
  get definitions(): readonly AlarmDefinition[] {
    return this.book.definitions;
  }

  definition(name: string): AlarmDefinition | undefined {
    return this.book.definition(name);
  }

  /** Replaces the API's definitions; the caller has every service rejoin (HeartbeatEngine.regroup). */
  setApiDefinitions(fromApi: AlarmDefinition[]): void {
    this.book.setDefinitions([...this.configDefinitions(), ...fromApi]);
  }

  /** Deletes an alarm without services; false when it has some (or there is none). */
  remove(name: string): boolean {
    return this.book.remove(name);
  }

  /** Writes every change so far (before a snapshot of the database). */
  flush(): Promise<void> {
    return this.rows.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rows.close();
  }

  // ---- ServiceGroups: what the heartbeat engine tells ------------------------------------------------

  async load(): Promise<void> {
    const [definitions, rows] = await Promise.all([this.repository.loadDefinitions(), this.repository.loadAlarms()]);
    const fromApi: AlarmDefinition[] = definitions.map((row) => ({
      name: row.name,
      pattern: row.pattern,
      includes: JSON.parse(row.includes) as string[],
      excludes: JSON.parse(row.excludes) as string[],
      alerts: JSON.parse(row.alerts) as string[],
      source: 'api',
    }));
    this.setApiDefinitions(fromApi.filter((api) => !this.config.alarms.some((alarm) => alarm.name === api.name)));
    this.book.restore(rows);
  }

  join(service: ServiceSnapshot, now: number, restoring: boolean): string[] {
    return this.book.join(service, now, restoring);
  }

  rejoin(service: ServiceSnapshot, now: number): string[] {
    return this.book.rejoin(service, now);
  }

  leave(service: ServiceSnapshot, now: number): void {
    this.book.leave(service, now);
  }

  stateChanged(service: ServiceSnapshot, now: number): void {
    this.book.serviceStateChanged(service, now);
  }

  restored(now: number): void {
    for (const name of this.book.finishRestore()) this.changed(name);
    this.book.evaluateAll(now);
    this.logger.log(`restored ${this.book.all.size} alarm(s)`);
  }

  namesExactly(name: string): boolean {
    return this.book.namesExactly(name);
  }

  private configDefinitions(): AlarmDefinition[] {
    return this.config.alarms.map((alarm) => ({ ...alarm, source: 'config' as const }));
  }

  private changed(name: string): void {
    this.rows.changed(name);
  }

  private async save(alarms: HeartbeatAlarmEntity[], deleted: string[]): Promise<void> {
    const started = performance.now();
    await this.repository.saveBatch(alarms, deleted);
    this.events.emit('heartbeat.saved', { rows: alarms.length + deleted.length, durationMs: performance.now() - started });
  }
}
