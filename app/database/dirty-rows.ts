import type { LoggerService } from '@nestjs/common';
import { BatchWriter, type BatchWriterMetrics, type StorageRecovery } from './batch-writer.js';

export interface DirtyRowsOptions<R> {
  /** For log lines: `heartbeat changes`. */
  name: string;
  /** Longest a change waits before it is written: what a crash can lose. */
  flushIntervalMs: number;
  maxBatchSize: number;
  maxPending: number;
  logger: LoggerService;
  /** The queue's metrics (`writeQueueMetrics`): what waits, and what was given up on. */
  metrics?: BatchWriterMetrics;
  /** Retry at once when the database takes writes again. */
  storage?: StorageRecovery;
  /** The row as it is *now*, or undefined when it was deleted. */
  current(name: string): R | undefined;
  /** One transaction: these rows upserted, these names deleted. */
  save(rows: R[], deleted: string[]): Promise<void>;
}

/**
 * Rows kept in memory and saved in batches: a change marks its name dirty; every window the dirty
 * names are written as they are *then*, so a thing changing 1,000 times a second costs one row write per
 * window, and a change never waits for the database (nor is lost while it refuses writes: BatchWriter).
 */
export class DirtyRows<R> {
  private readonly dirty = new Set<string>();
  private readonly writer: BatchWriter<string>;

  constructor(private readonly options: DirtyRowsOptions<R>) {
    this.writer = new BatchWriter<string>({
      name: options.name,
      flushIntervalMs: options.flushIntervalMs,
      maxBatchSize: options.maxBatchSize,
      maxPending: options.maxPending,
      logger: options.logger,
      metrics: options.metrics,
      storage: options.storage,
      write: (names) => this.write(names),
    });
  }

  get pendingCount(): number {
    return this.writer.pendingCount;
  }

  /** One Set lookup when the name is already waiting for the next save; false when the writer is full (counted there). */
  changed(name: string): boolean {
    if (this.dirty.has(name)) return true;
    if (!this.writer.push(name)) return false;
    this.dirty.add(name);
    return true;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  private async write(names: string[]): Promise<void> {
    const rows: R[] = [];
    const deleted: string[] = [];
    for (const name of names) {
      this.dirty.delete(name);
      const row = this.options.current(name);
      if (row) rows.push(row);
      else deleted.push(name);
    }
    try {
      await this.options.save(rows, deleted);
    } catch (error) {
      // The writer retries these names; they must count as dirty again so later changes do not queue twice.
      for (const name of names) this.dirty.add(name);
      throw error;
    }
  }
}
