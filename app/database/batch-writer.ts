import type { LoggerService } from '@nestjs/common';

export interface BatchWriterOptions<T> {
  /** For log lines: `results`, `beats`. */
  name: string;
  /** Longest an item waits before it is written (the window a crash can lose). */
  flushIntervalMs: number;
  /** A batch this large is written at once instead of waiting for the interval. */
  maxBatchSize: number;
  /** Items held while the database is failing; push() refuses beyond this. */
  maxPending: number;
  /** Writes one batch, in one transaction. */
  write(items: T[]): Promise<void>;
  logger: LoggerService;
}

/**
 * Hot-path writes (check results, beats, metrics) in short batched transactions: items wait at most
 * `flushIntervalMs`, one write runs at a time, and a failed batch is kept and retried (with backoff up to
 * 5 s) instead of being dropped.
 */
export class BatchWriter<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: BatchWriterOptions<T>) {}

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Queues an item; false when the writer is full (the database has been failing) or closed. */
  push(item: T): boolean {
    if (this.closed || this.pending.length >= this.options.maxPending) return false;
    this.pending.push(item);
    if (this.pending.length >= this.options.maxBatchSize && this.failures === 0) this.startWrite();
    else this.arm(this.failures === 0 ? this.options.flushIntervalMs : this.backoffMs());
    return true;
  }

  /** Writes everything queued so far; resolves when it is in the database (or rejects if that failed). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.pending.length === 0) return;
    this.disarm();
    const batch = this.pending.splice(0, this.pending.length);
    try {
      await this.options.write(batch);
      this.failures = 0;
    } catch (error) {
      this.pending.unshift(...batch);
      throw error;
    }
  }

  /** Stops accepting items and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarm();
    while (this.inFlight) await this.inFlight;
    await this.flush();
  }

  private arm(delayMs: number): void {
    if (this.timer || this.inFlight) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.startWrite();
    }, delayMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private startWrite(): void {
    if (this.inFlight || this.pending.length === 0) return;
    this.disarm();
    const batch = this.pending.splice(0, this.options.maxBatchSize);
    this.inFlight = this.options
      .write(batch)
      .then(() => {
        this.failures = 0;
      })
      .catch((error: Error) => {
        this.failures++;
        this.pending.unshift(...batch);
        this.options.logger.error(
          `writing ${batch.length} ${this.options.name} failed (attempt ${this.failures}, kept for retry): ${error.message}`,
          'BatchWriter',
        );
      })
      .finally(() => {
        this.inFlight = null;
        if (this.pending.length > 0) {
          if (this.failures === 0 && this.pending.length >= this.options.maxBatchSize) this.startWrite();
          else this.arm(this.failures === 0 ? this.options.flushIntervalMs : this.backoffMs());
        }
      });
  }

  private backoffMs(): number {
    return Math.min(5000, this.options.flushIntervalMs * 2 ** Math.min(this.failures, 10));
  }
}
