import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DirtyRows } from '../database/dirty-rows.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { HeartbeatInboxRow } from './heartbeat-inbox.entity.js';
import type { HeartbeatServiceEntity } from './heartbeat-service.entity.js';
import { HeartbeatRepository } from './heartbeat.repository.js';
import type { ServiceRecord } from './service-record.js';

/** Longest a change waits before it is written: what a crash can lose. */
export const SAVE_WINDOW_MS = 100;
/** Not a service name (those are `[A-Za-z0-9._-]`): marks a save that only takes forwarded commands in. */
const INBOX = '\u0000inbox';
/** Forwarded commands taken in per save. */
const INBOX_BATCH = 5000;

/** What the store does for several servers (HeartbeatCluster): the inbox it takes in, and who hears of saves. */
export interface StoreCluster {
  /**
   * Within the save's transaction: the shards this server may write for (it holds their leases, checked in
   * the database and locked until commit); services of other shards are left out.
   */
  held(manager: EntityManager): Promise<Set<number>>;
  shardOf(name: string): number;
  /** Applies forwarded commands; returns the names of the services they touched. */
  apply(commands: HeartbeatInboxRow[]): string[];
  /** Within the save's transaction: tell the other servers these services were saved. */
  saved(names: string[], manager: EntityManager): Promise<void>;
}

/**
 * Saves heartbeat services in batched transactions: a change marks its service dirty; every
 * SAVE_WINDOW_MS the dirty ones are written as they are *then*, so a service beating 1,000 times a
 * second costs one row write per window, and a beat never waits for the database. While the database
 * refuses writes (a full disk …) the changes wait in memory and are written once it takes them again.
 * With several servers, the same transaction takes in the commands other servers forwarded for the
 * services this one decides, and tells the others what it saved.
 */
@Injectable()
export class HeartbeatStore {
  private readonly logger = new Logger('Heartbeats');
  private readonly rows: DirtyRows<HeartbeatServiceEntity>;
  private source: ((name: string) => ServiceRecord | undefined) | null = null;
  private cluster: StoreCluster | null = null;
  /** Changes marked so far, and how many the latest save that started covered. */
  private changes = 0;
  private saved = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];

  constructor(
    private readonly repository: HeartbeatRepository,
    private readonly events: EventBus,
    metrics: MetricsService,
    storage: StorageHealth,
  ) {
    this.rows = new DirtyRows<HeartbeatServiceEntity>({
      name: 'heartbeat changes',
      flushIntervalMs: SAVE_WINDOW_MS,
      maxBatchSize: 5000,
      maxPending: 1_000_000,
      logger: this.logger,
      storage,
      metrics: writeQueueMetrics(metrics, 'heartbeats', () => this.rows.pendingCount),
      current: (name) => this.source?.(name)?.toEntity(),
      save: (services, deleted) => this.save(services, deleted),
    });
  }

  /** Where the current state of a service is read when it is saved (the engine's records). */
  attach(source: (name: string) => ServiceRecord | undefined): void {
    this.source = source;
  }

  attachCluster(cluster: StoreCluster): void {
    this.cluster = cluster;
  }

  /** On every beat: one Set lookup when the service is already waiting for the next save. */
  serviceChanged(name: string): void {
    this.changes++;
    this.rows.changed(name);
  }

  /** Forwarded commands are waiting: a save takes them in within the save window. */
  takeInbox(): void {
    this.serviceChanged(INBOX);
  }

  /** Resolves once every change marked so far is saved (an HTTP beat is answered then, with several servers). */
  savedNow(): Promise<void> {
    const upTo = this.changes;
    if (this.saved >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  /** Writes everything changed so far. */
  flush(): Promise<void> {
    return this.rows.flush();
  }

  close(): Promise<void> {
    return this.rows.close();
  }

  private async save(services: HeartbeatServiceEntity[], deleted: string[]): Promise<void> {
    const started = performance.now();
    // The batch holds every change marked so far unless some are left for the next one (a batch is bounded).
    const covers = this.rows.pendingCount === 0 ? this.changes : this.saved;
    const rows = this.cluster ? await this.saveShared(services, deleted) : await this.saveAlone(services, deleted);
    this.saved = Math.max(this.saved, covers);
    if (this.waiters.length > 0) {
      const waiting = this.waiters;
      this.waiters = waiting.filter((waiter) => waiter.upTo > covers);
      for (const waiter of waiting) if (waiter.upTo <= covers) waiter.resolve();
    }
    this.events.emit('heartbeat.saved', { rows, durationMs: performance.now() - started });
  }

  private async saveAlone(services: HeartbeatServiceEntity[], deleted: string[]): Promise<number> {
    const gone = deleted.filter((name) => name !== INBOX);
    await this.repository.saveBatch(services, gone);
    return services.length + gone.length;
  }

  /** One transaction: forwarded commands taken in and applied, every touched service written, the others told. */
  private async saveShared(services: HeartbeatServiceEntity[], deleted: string[]): Promise<number> {
    const cluster = this.cluster!;
    let more = false;
    let skipped = 0;
    const count = await this.repository.transaction(async (manager) => {
      const held = await cluster.held(manager);
      const commands = await this.repository.takeFromInbox(manager, [...held], INBOX_BATCH);
      more = commands.length === INBOX_BATCH;
      const names = new Set([...services.map((row) => row.name), ...deleted, ...(commands.length > 0 ? cluster.apply(commands) : [])]);
      names.delete(INBOX);
      for (const name of names) {
        if (held.has(cluster.shardOf(name))) continue;
        names.delete(name);
        skipped++;
      }
      const rows: HeartbeatServiceEntity[] = [];
      const gone: string[] = [];
      for (const name of names) {
        const row = this.source?.(name)?.toEntity();
        if (row) rows.push(row);
        else gone.push(name);
      }
      await this.repository.saveIn(manager, rows, gone);
      await cluster.saved([...names], manager);
      return names.size;
    });
    if (more) this.takeInbox();
    if (skipped > 0) this.logger.warn(`${skipped} service change(s) not saved: another server decides those services now`);
    return count;
  }
}
