import type { LoggerService } from '@nestjs/common';
import { storageFailureOf } from './storage-failure.js';

/** Where a writer reports its queue (MetricsService-backed in the server; optional in tests). */
export interface BatchWriterMetrics {
  /** Items refused or given up on. */
  dropped(count: number): void;
}

/** What tells a writer that the database takes writes again (StorageHealth). */
export interface StorageRecovery {
  onRecovered(listener: () => void): () => void;
}

export interface BatchWriterOptions<T> {
  /** For log lines and metric labels: `check results`, `heartbeat changes`. */
  name: string;
  /** Longest an item waits before it is written (the window a crash can lose). */
  flushIntervalMs: number;
  /** A batch this large is written at once instead of waiting for the interval. */
  maxBatchSize: number;
  /** Items held while the database is failing; push() refuses (and counts) beyond this. */
  maxPending: number;
  /** Writes one batch, in one transaction. */
  write(items: T[]): Promise<void>;
  logger: LoggerService;
  metrics?: BatchWriterMetrics;
  /** Retry at once when the database recovers, instead of waiting out the backoff. */
  storage?: StorageRecovery;
  /**
   * Attempts at a batch that fails with an error that is *not* a storage failure (a bug, a constraint)
   * before it is dropped, so one poisoned batch cannot hold up everything queued after it. Storage
   * failures (full disk, I/O error, read-only, unreachable) are retried for as long as they last.
   */
  maxAttemptsOnOtherErrors?: number;
  /** Told which items were given up on that way, so whoever waits for them hears they were not written. */
  onGivenUp?(items: T[]): void;
}

const MAX_BACKOFF_MS = 5000;
const MIN_BACKOFF_MS = 100;
/** While items are being dropped, one log line per this interval says how many. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Hot-path writes (check results, beats, metrics) in short batched transactions: items wait at most
 * `flushIntervalMs`, one write runs at a time, and a batch that fails on the storage (a full disk …) is
 * kept in memory, in order, and retried with backoff up to 5 s (at once when the storage recovers) until
 * it is written. The queue is bounded by `maxPending`: beyond it items are refused, counted and logged.
 */
export class BatchWriter<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  /** Someone waits for what is queued: write it right after the write in flight, not after the interval. */
  private hurried = false;
  private otherErrorAttempts = 0;
  private closed = false;
  private droppedSinceLog = 0;
  private droppedInEpisode = 0;
  private lastDropLogAt = 0;
  private readonly stopListening: (() => void) | null;

  constructor(private readonly options: BatchWriterOptions<T>) {
    this.stopListening = options.storage?.onRecovered(() => this.retryNow()) ?? null;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Nothing queued and nothing being written. */
  get idle(): boolean {
    return this.pending.length === 0 && this.inFlight === null;
  }

  /** Queues an item; false (counted and logged) when the writer is full because the database kept failing, or closed. */
  push(item: T): boolean {
    if (this.closed) return false;
    if (this.pending.length >= this.options.maxPending) {
      this.drop(1, `the queue holds ${this.options.maxPending} items the database has not taken`);
      return false;
    }
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
      this.succeeded();
    } catch (error) {
      this.pending.unshift(...batch);
      throw error;
    }
  }

  /**
   * Writes what is queued now, or right after the write in flight, instead of after the interval: for
   * items someone is waiting for (a poller waits for its batch to be stored before it sends the next).
   * While the database fails the backoff still holds.
   */
  hurry(): void {
    if (this.failures > 0 || this.pending.length === 0) return;
    if (this.inFlight) this.hurried = true;
    else this.startWrite();
  }

  /** Stops accepting items and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopListening?.();
    this.disarm();
    while (this.inFlight) await this.inFlight;
    await this.flush();
  }

  /** The database is back: write what is waiting now rather than after the backoff. */
  retryNow(): void {
    if (this.failures === 0 || this.inFlight || this.pending.length === 0) return;
    this.startWrite();
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
      .then(() => this.succeeded())
      .catch((error: Error) => this.failed(batch, error))
      .finally(() => {
        this.inFlight = null;
        const hurried = this.hurried;
        this.hurried = false;
        if (this.pending.length > 0) {
          if (this.failures === 0 && (hurried || this.pending.length >= this.options.maxBatchSize)) this.startWrite();
          else this.arm(this.failures === 0 ? this.options.flushIntervalMs : this.backoffMs());
        }
      });
  }

  private succeeded(): void {
    if (this.failures > 0) {
      const dropped = this.droppedInEpisode + this.droppedSinceLog;
      this.options.logger.log(
        `${this.options.name} are written again after ${this.failures} failed attempt(s)${dropped > 0 ? `; ${dropped} item(s) were dropped meanwhile` : ''}`,
        'BatchWriter',
      );
    }
    this.failures = 0;
    this.otherErrorAttempts = 0;
    this.droppedInEpisode = 0;
  }

  private failed(batch: T[], error: Error): void {
    this.failures++;
    const storage = storageFailureOf(error) !== null;
    if (!storage && ++this.otherErrorAttempts >= (this.options.maxAttemptsOnOtherErrors ?? 5)) {
      this.otherErrorAttempts = 0;
      this.drop(batch.length, `writing them failed ${this.options.maxAttemptsOnOtherErrors ?? 5} times: ${error.message}`, true);
      this.options.onGivenUp?.(batch);
      return;
    }
    this.pending.unshift(...batch);
    this.options.logger.error(
      `writing ${batch.length} ${this.options.name} failed (attempt ${this.failures}, ${this.pending.length} kept in memory for retry): ${error.message}`,
      'BatchWriter',
    );
  }

  private drop(count: number, why: string, now = false): void {
    this.options.metrics?.dropped(count);
    this.droppedSinceLog += count;
    const at = Date.now();
    if (!now && at - this.lastDropLogAt < DROP_LOG_INTERVAL_MS) return;
    this.options.logger.error(`dropped ${this.droppedSinceLog} ${this.options.name}: ${why}`, 'BatchWriter');
    this.droppedInEpisode += this.droppedSinceLog;
    this.droppedSinceLog = 0;
    this.lastDropLogAt = at;
  }

  private backoffMs(): number {
    return Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, this.options.flushIntervalMs) * 2 ** Math.min(this.failures, 10));
  }
}
