import { Injectable, Logger } from '@nestjs/common';
import { DirtyRows } from '../database/dirty-rows.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { HeartbeatServiceEntity } from './heartbeat-service.entity.js';
import { HeartbeatRepository } from './heartbeat.repository.js';
import type { ServiceRecord } from './service-record.js';

/** Longest a change waits before it is written: what a crash can lose. */
export const SAVE_WINDOW_MS = 100;

/**
 * Saves heartbeat services in batched transactions: a change marks its service dirty; every
 * SAVE_WINDOW_MS the dirty ones are written as they are *then*, so a service beating 1,000 times a
 * second costs one row write per window, and a beat never waits for the database. While the database
 * refuses writes (a full disk …) the changes wait in memory and are written once it takes them again.
 */
@Injectable()
export class HeartbeatStore {
  private readonly logger = new Logger('Heartbeats');
  private readonly rows: DirtyRows<HeartbeatServiceEntity>;
  private source: ((name: string) => ServiceRecord | undefined) | null = null;

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

  /** On every beat: one Set lookup when the service is already waiting for the next save. */
  serviceChanged(name: string): void {
    this.rows.changed(name);
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
    await this.repository.saveBatch(services, deleted);
    this.events.emit('heartbeat.saved', { rows: services.length + deleted.length, durationMs: performance.now() - started });
  }
}
