import { Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ClusterBus, LocalBus } from '../cluster/cluster-bus.js';
import { Ownership, SoleOwnership, type OwnedShards, type ShardWork } from '../cluster/ownership.js';
import { ReadBack } from '../cluster/read-back.js';
import { settleWithin } from '../cluster/settle-within.js';
import { WritableShards } from '../cluster/writable-shards.js';
import { shardOf, workKey } from '../cluster/shard-of.js';
import { ServerConfig } from '../config/config.schema.js';
import { DirtyRows } from '../database/dirty-rows.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { EventBus } from '../events/pulse-events.js';
import { SAVE_WINDOW_MS } from '../heartbeats/heartbeat-store.js';
import { ServiceGroups } from '../heartbeats/service-groups.js';
import type { ServiceSnapshot } from '../heartbeats/service-record.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Clock } from '../runtime/clock.js';
import { AlarmBook, type AlarmSnapshot } from './alarm-book.js';
import type { AlarmDefinitionEntity, HeartbeatAlarmEntity } from './alarm.entity.js';
import './alarm.events.js';
import type { AlarmDefinition } from './alarm-pattern.js';
import { AlarmRepository } from './alarm.repository.js';

const alarmShard = (name: string) => shardOf(workKey.alarm(name));

/**
 * The heartbeat alarms in memory (SPEC §6): definitions from `[[alarms]]` and the API, the alarms made
 * from them, and their saving. The heartbeat engine tells it of every service through the ServiceGroups
 * port; alarms change only here, everyone else reads them through `all` or the AlarmsQuery. With several
 * servers each keeps every alarm's members, and an alarm's shard decides which server judges it (and
 * saves it); the others read back what it saved.
 */
@Injectable()
export class AlarmEngine implements ServiceGroups, ShardWork, OnApplicationShutdown {
  private readonly logger = new Logger('Alarms');
  private readonly book: AlarmBook;
  private readonly rows: DirtyRows<HeartbeatAlarmEntity>;
  private readonly owned: OwnedShards;
  private readonly ownership: Ownership;
  private readonly bus: ClusterBus;
  /** Shards whose alarms this server writes: those it judges, and those it is preparing. */
  private readonly writable: WritableShards;
  /** Alarms another server saved, read back here. */
  private readonly saved: ReadBack<string>;

  constructor(
    private readonly config: ServerConfig,
    private readonly repository: AlarmRepository,
    private readonly events: EventBus,
    metrics: MetricsService,
    storage: StorageHealth,
    @Optional() private readonly clock: Clock = new Clock(),
    @Optional() ownership?: Ownership,
    @Optional() bus?: ClusterBus,
  ) {
    this.ownership = ownership ?? new SoleOwnership();
    this.bus = bus ?? new LocalBus();
    this.owned = this.ownership.join('alarms', this);
    this.writable = new WritableShards(this.ownership, this.owned);
    this.saved = new ReadBack(async (names) => this.mirror(await this.repository.loadByNames(names), names), this.logger);
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
    const clustered = this.owned.clustered;
    this.book = new AlarmBook({
      changed: (alarm) => this.changed(alarm.name),
      removed: (name) => this.changed(name),
      stateChanged: (event) => events.emit('alarm.state-changed', event),
      decides: clustered ? (name) => this.owned.owns(workKey.alarm(name)) : undefined,
    });
    if (clustered) {
      this.bus.subscribe<{ names?: string[] }>('alarms', ({ names }) => this.saved.add(names ?? []));
      this.bus.onResync(() => this.saved.add(this.book.all.keys()));
    }
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
    this.saved.stop();
    await this.rows.close();
  }

  // ---- ServiceGroups: what the heartbeat engine tells ------------------------------------------------

  async load(): Promise<void> {
    const [definitions, rows] = await Promise.all([this.repository.loadDefinitions(), this.repository.loadAlarms()]);
    this.useApiDefinitions(definitions);
    this.book.restore(rows);
  }

  /** Another server changed the API's definitions: read them again (the caller has every service rejoin). */
  async reloadDefinitions(): Promise<void> {
    this.useApiDefinitions(await this.repository.loadDefinitions());
  }

  private useApiDefinitions(definitions: AlarmDefinitionEntity[]): void {
    const fromApi: AlarmDefinition[] = definitions.map((row) => ({
      name: row.name,
      pattern: row.pattern,
      includes: JSON.parse(row.includes) as string[],
      excludes: JSON.parse(row.excludes) as string[],
      alerts: JSON.parse(row.alerts) as string[],
      source: 'api',
    }));
    this.setApiDefinitions(fromApi.filter((api) => !this.config.alarms.some((alarm) => alarm.name === api.name)));
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
    void this.owned.ready();
  }

  // ---- ShardWork: several servers ------------------------------------------------------------------------

  async prepare(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.writable.add(shards);
    for (const row of await this.repository.loadAlarms()) if (shards.has(alarmShard(row.name))) this.book.assign(row);
  }

  /** This server judges these alarms now (one that went wrong while nobody did is raised now). */
  take(shards: ReadonlySet<number>): void {
    if (this.owned.clustered) this.book.evaluateAll(this.clock.now(), (name) => shards.has(alarmShard(name)));
  }

  async drop(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    await settleWithin(this.rows.flush(), 5000);
    this.writable.delete(shards);
  }

  describe(): Record<string, number> {
    let alarms = 0;
    for (const name of this.book.all.keys()) if (this.owned.owns(workKey.alarm(name))) alarms++;
    return { alarms };
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
    await this.repository.saveBatch(
      alarms,
      deleted,
      this.owned.clustered ? (manager, rows) => this.keepHeld(manager, rows, deleted) : undefined,
    );
    this.events.emit('heartbeat.saved', { rows: alarms.length + deleted.length, durationMs: performance.now() - started });
  }

  /**
   * Several servers, within the save: only alarms whose lease this server still holds are written (a
   * deletion, an admin's act, from any server); the others are told which alarms changed.
   */
  private async keepHeld(manager: EntityManager, rows: HeartbeatAlarmEntity[], deleted: string[]): Promise<HeartbeatAlarmEntity[]> {
    const held = await this.writable.held(manager);
    const kept = rows.filter((row) => held.has(alarmShard(row.name)));
    await this.bus.publishList('alarms', 'names', [...kept.map((row) => row.name), ...deleted], {}, manager);
    return kept;
  }

  /** What the deciding servers saved: this server's copies follow (pages are told); alarms judged here are skipped. */
  private mirror(rows: HeartbeatAlarmEntity[], names: string[]): void {
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const name of names) {
      if (this.owned.owns(workKey.alarm(name))) continue;
      const row = byName.get(name);
      if (!row) this.book.forgetDeleted(name);
      else if (this.book.assign(row)) this.events.emit('alarm.mirrored', { name, state: row.state === 'error' ? 'error' : 'ok' });
    }
  }
}
