import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AgentsSection } from '../config/config.schema.js';
import { Clock } from '../runtime/clock.js';
import { AgentRepository } from './agent.repository.js';

const DAY_MS = 86_400_000;
/** Rows per DELETE: short transactions, so report writes are never held up for long. */
const CHUNK = 5000;

/** Hourly: raw reports older than `[agents] retention_days`, minute and hour buckets past theirs. */
@Injectable()
export class AgentCleanupService {
  private readonly logger = new Logger('Agents');
  private running = false;

  constructor(
    private readonly repository: AgentRepository,
    private readonly retention: AgentsSection,
    private readonly clock: Clock,
  ) {}

  @Cron('23 * * * *', { name: 'agent-reports-cleanup' })
  async onHourlyCleanup(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const removed = await this.cleanUp();
      if (removed.samples + removed.buckets > 0)
        this.logger.log(`cleanup removed ${removed.samples} agent report(s) and ${removed.buckets} bucket(s)`);
    } catch (error) {
      this.logger.error(`agent cleanup failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  async cleanUp(): Promise<{ samples: number; buckets: number }> {
    const now = this.clock.now();
    const { retention_days, minute_buckets_days, hour_buckets_days } = this.retention;
    const samples = await drain((limit) => this.repository.deleteSamplesBefore(now - retention_days * DAY_MS, limit));
    const buckets =
      (await drain((limit) => this.repository.deleteBucketsBefore('minute', now - minute_buckets_days * DAY_MS, limit))) +
      (await drain((limit) => this.repository.deleteBucketsBefore('hour', now - hour_buckets_days * DAY_MS, limit)));
    return { samples, buckets };
  }
}

async function drain(deleteChunk: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await deleteChunk(CHUNK);
    total += removed;
    if (removed < CHUNK) return total;
  }
}
