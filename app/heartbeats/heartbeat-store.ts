import { Injectable, Logger } from '@nestjs/common';
import { BatchWriter } from '../database/batch-writer.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { EventBus } from '../events/pulse-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { AlarmRecord } from '../alarms/alarm-book.js';
import { HeartbeatRepository, type HeartbeatBatch } from './heartbeat.repository.js';
import type { ServiceRecord } from './service-record.js';

/** Longest a change waits before it is written: what a crash can lose. */
export const SAVE_WINDOW_MS = 100;

/** A service name, or an alarm's name wrapped so the two never collide. */
type Key = string | { alarm: string };

export interface StoreSources {
  service(name: string): ServiceRecord | undefined;
  alarm(name: string): AlarmRecord | undefined;
}

/**
 * Saves heartbeat state in batched transactions. A change marks its service or alarm dirty; every
 * SAVE_WINDOW_MS the dirty ones are written as they are *then*, so a service beating 1,000 times a
 * second costs one row write per window, and a beat never waits for the database.
 */
@Injectable()
export class HeartbeatStore {
  private readonly logger = new Logger('Heartbeats');
  private readonly dirtyServices = new Set<string>();
  private readonly dirtyAlarms = new Set<string>();
  private readonly writer: BatchWriter<Key>;
  private sources: StoreSources | null = null;

  constructor(
    private readonly repository: HeartbeatRepository,
    private readonly events: EventBus,
    metrics: MetricsService,
    storage: StorageHealth,
  ) {
    this.writer = new BatchWriter<Key>({
      name: 'heartbeat changes',
      flushIntervalMs: SAVE_WINDOW_MS,
      maxBatchSize: 5000,
      maxPending: 1_000_000,
      write: (keys) => this.write(keys),
      logger: this.logger,
      storage,
      metrics: writeQueueMetrics(metrics, 'heartbeats', () => this.writer.pendingCount),
    });
  }

  attach(sources: StoreSources): void {
    this.sources = sources;
  }

  /** On every beat: one Set lookup when the service is already waiting for the next save. */
  serviceChanged(name: string): void {
    if (this.dirtyServices.has(name)) return;
    if (this.writer.push(name)) this.dirtyServices.add(name);
  }

  alarmChanged(name: string): void {
    if (this.dirtyAlarms.has(name)) return;
    if (this.writer.push({ alarm: name })) this.dirtyAlarms.add(name);
  }

  /** Writes everything changed so far. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  private async write(keys: Key[]): Promise<void> {
    const batch: HeartbeatBatch = { services: [], deletedServices: [], alarms: [], deletedAlarms: [] };
    for (const key of keys) {
      if (typeof key === 'string') {
        this.dirtyServices.delete(key);
        const service = this.sources!.service(key);
        if (service) batch.services.push(service.toEntity());
        else batch.deletedServices.push(key);
      } else {
        this.dirtyAlarms.delete(key.alarm);
        const alarm = this.sources!.alarm(key.alarm);
        if (alarm) batch.alarms.push(alarm.toEntity());
        else batch.deletedAlarms.push(key.alarm);
      }
    }
    const started = performance.now();
    try {
      await this.repository.saveBatch(batch);
    } catch (error) {
      // The writer retries these keys; they must count as dirty again so later changes do not queue twice.
      for (const key of keys) {
        if (typeof key === 'string') this.dirtyServices.add(key);
        else this.dirtyAlarms.add(key.alarm);
      }
      throw error;
    }
    this.events.emit('heartbeat.saved', { rows: keys.length, durationMs: performance.now() - started });
  }
}
