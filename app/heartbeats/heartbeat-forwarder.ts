import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { Ownership } from '../cluster/ownership.js';
import { shardOf, workKey } from '../cluster/shard-of.js';
import { BatchWriter } from '../database/batch-writer.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { ForwardedCommand } from './heartbeat-commands.js';
import type { HeartbeatInboxRow } from './heartbeat-inbox.entity.js';
import { HeartbeatRepository } from './heartbeat.repository.js';

/** How long a forwarded command waits for company before it is written (an HTTP beat is answered after). */
const FORWARD_WINDOW_MS = 20;

interface Queued extends ForwardedCommand {
  seq: number;
}

/**
 * Several servers: commands this server took for services another server decides go to the
 * heartbeat inbox, in short batches (consecutive plain beats of one service merged into one row that
 * says how many and since when), and the deciding servers are woken with a NOTIFY in the same
 * transaction. `committed()` resolves once everything forwarded so far is in the database: an HTTP beat
 * is answered only then, so a server killed right after answering has lost nothing.
 */
@Injectable()
export class HeartbeatForwarder implements OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeats');
  private readonly writer: BatchWriter<Queued>;
  private readonly prefix = randomBytes(4).toString('hex');
  private seq = 0;
  private written = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];

  constructor(
    private readonly repository: HeartbeatRepository,
    private readonly bus: ClusterBus,
    storage: StorageHealth,
    metrics: MetricsService,
    ownership: Ownership,
  ) {
    this.writer = new BatchWriter<Queued>({
      name: 'forwarded heartbeat commands',
      flushIntervalMs: FORWARD_WINDOW_MS,
      maxBatchSize: 5000,
      maxPending: 1_000_000,
      logger: this.logger,
      storage,
      // Only several servers forward: one server shows no queue that is always empty.
      metrics: ownership.clustered ? writeQueueMetrics(metrics, 'heartbeat_forwards', () => this.writer.pendingCount) : undefined,
      write: (items) => this.write(items),
    });
  }

  forward(command: ForwardedCommand): void {
    if (!this.writer.push({ ...command, seq: ++this.seq }))
      this.logger.error(
        `a ${command.command} for "${command.name}" could not be forwarded: the database has been failing and the queue is full`,
      );
  }

  /** Commands not yet in the database. */
  get pending(): number {
    return this.seq - this.written;
  }

  /**
   * Writes what waits now, after the write in flight, without waiting out a backoff: the database answers
   * again and this server is about to decide services it forwarded commands for while it could not.
   */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Resolves once every command forwarded so far is committed. */
  committed(): Promise<void> {
    const upTo = this.seq;
    if (this.written >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.writer
      .close()
      .catch((error: Error) => this.logger.error(`forwarded heartbeat commands not written at shutdown: ${error.message}`));
  }

  private async write(items: Queued[]): Promise<void> {
    const rows = merge(items).map((item) => this.row(item));
    const shards = [...new Set(rows.map((row) => row.shard))];
    await this.repository.transaction(async (manager) => {
      await this.repository.addToInbox(manager, rows);
      await this.bus.publish('heartbeat-inbox', { shards }, manager);
    });
    const upTo = items[items.length - 1]!.seq;
    this.written = Math.max(this.written, upTo);
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => waiter.upTo > this.written);
    for (const waiter of waiting) if (waiter.upTo <= this.written) waiter.resolve();
  }

  private row(item: Queued & { firstAt: number; count: number }): HeartbeatInboxRow {
    return {
      id: `${String(item.at).padStart(15, '0')}-${this.prefix}-${String(item.seq).padStart(12, '0')}`,
      shard: shardOf(workKey.service(item.name)),
      name: item.name,
      command: item.command,
      at: item.at,
      firstAt: item.firstAt,
      count: item.count,
      timeoutMs: item.timeoutMs ?? null,
      minIntervalMs: item.minIntervalMs ?? null,
      transport: item.transport,
    };
  }
}

/** Consecutive plain beats of one service (nothing else for it in between) become one row. */
function merge(items: Queued[]): (Queued & { firstAt: number; count: number })[] {
  const out: (Queued & { firstAt: number; count: number })[] = [];
  const lastOf = new Map<string, number>();
  for (const item of items) {
    const index = lastOf.get(item.name);
    const previous = index === undefined ? undefined : out[index];
    if (previous && isPlainBeat(previous) && isPlainBeat(item)) {
      previous.count++;
      previous.at = item.at;
      previous.seq = item.seq;
      continue;
    }
    lastOf.set(item.name, out.length);
    out.push({ ...item, firstAt: item.at, count: 1 });
  }
  return out;
}

const isPlainBeat = (item: ForwardedCommand) => item.command === 'beat' && item.timeoutMs === undefined && item.minIntervalMs === undefined;
