import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ResultsSection } from '../config/config.schema.js';
import { Clock } from '../runtime/clock.js';
import { ResultRepository } from './result.repository.js';

const DAY_MS = 86_400_000;
/** Rows per DELETE: short transactions, so result writes are never held up for long. */
const CHUNK = 5000;

/** Hourly: raw results older than `[results] retention_days`, minute and hour buckets past theirs. */
@Injectable()
export class ResultsCleanupService {
  private readonly logger = new Logger('Monitors');
  private running = false;

  constructor(
    private readonly results: ResultRepository,
    private readonly retention: ResultsSection,
    private readonly clock: Clock,
  ) {}

  @Cron('17 * * * *', { name: 'results-cleanup' })
  async onHourlyCleanup(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const removed = await this.cleanUp();
      if (removed.results + removed.buckets > 0)
        this.logger.log(`cleanup removed ${removed.results} result(s) and ${removed.buckets} bucket(s)`);
    } catch (error) {
      this.logger.error(`cleanup failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  async cleanUp(): Promise<{ results: number; buckets: number }> {
    const now = this.clock.now();
    const { retention_days, minute_buckets_days, hour_buckets_days } = this.retention;
    const results = await this.drain((limit) => this.results.deleteResultsBefore(now - retention_days * DAY_MS, limit));
    const buckets =
      (await this.drain((limit) => this.results.deleteBucketsBefore('minute', now - minute_buckets_days * DAY_MS, limit))) +
      (await this.drain((limit) => this.results.deleteBucketsBefore('hour', now - hour_buckets_days * DAY_MS, limit))) +
      (await this.drain((limit) => this.results.deleteSourceBucketsBefore('minute', now - minute_buckets_days * DAY_MS, limit))) +
      (await this.drain((limit) => this.results.deleteSourceBucketsBefore('hour', now - hour_buckets_days * DAY_MS, limit)));
    return { results, buckets };
  }

  private async drain(deleteChunk: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await deleteChunk(CHUNK);
      total += removed;
      if (removed < CHUNK) return total;
    }
  }
}
