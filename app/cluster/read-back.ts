import type { LoggerService } from '@nestjs/common';

/** Notices from other servers are read back in batches at most this often. */
export const READ_BACK_WINDOW_MS = 100;
const RETRY_MS = 1000;

/**
 * Reads back what other servers wrote: the keys their notices name are collected for a short window and
 * handed to `apply` in one batch (one query for many notices), one batch after another; a batch that
 * fails (the database is away) is tried again a second later.
 */
export class ReadBack<K> {
  private readonly pending = new Set<K>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly apply: (keys: K[]) => Promise<void>,
    private readonly logger: LoggerService,
    private readonly windowMs = READ_BACK_WINDOW_MS,
  ) {}

  add(keys: Iterable<K>): void {
    for (const key of keys) this.pending.add(key);
    if (this.timer || this.pending.size === 0 || this.stopped) return;
    this.timer = setTimeout(() => this.run(), this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves when what was collected so far has been applied (for tests). */
  async settled(): Promise<void> {
    while (this.timer || this.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, this.windowMs));
    await this.running;
  }

  private run(): void {
    this.timer = null;
    const batch = [...this.pending];
    this.pending.clear();
    this.running = this.running
      .then(() => this.apply(batch))
      .catch((error: Error) => {
        this.logger.warn(`could not read back what another server wrote: ${error.message}`);
        setTimeout(() => this.add(batch), RETRY_MS).unref();
      });
  }
}
