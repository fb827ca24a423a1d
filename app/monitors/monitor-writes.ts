import type { LoggerService } from '@nestjs/common';
import { BatchWriter } from '../database/batch-writer.js';
import type { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { CheckResult } from '../plugin-host/contracts.js';
import type { CheckResultRow } from './check-result.entity.js';
import type { LatestResult } from './live-monitor.js';
import type { StateChange } from './monitor-state.js';
import type { MonitorSource } from './monitor-source.entity.js';
import type { MonitorRepository } from './monitor.repository.js';
import type { ResultRepository } from './result.repository.js';
import { SOLE_SERVER, type RuntimeCluster } from './runtime-cluster.js';
import type { BucketDelta } from './uptime-buckets.js';

/**
 * Told once the batch is written: whether the result was new (false: stored before; null: its monitor
 * was deleted meanwhile), or that the writer gave the batch up.
 */
export type ResultStored = (isNew: boolean | null | 'not-written') => void;

/** A source's result to queue. */
export interface ResultToWrite {
  monitorId: number;
  source: string;
  result: CheckResult;
  checkedAt: number;
  /** The source's latest result, when this one is newer than any before it (a replayed old one is not). */
  latest: LatestResult | null;
  deltas: BucketDelta[];
  stored?: ResultStored;
}

/** A result as queued: its row, the source row to update, its uptime deltas. */
interface PendingWrite {
  result: CheckResultRow;
  source: MonitorSource | null;
  deltas: BucketDelta[];
  stored?: ResultStored;
}

/** A state change to write; `admin`: made by a user (pause, resume) on whichever server took the request. */
export interface PendingChange {
  monitorId: number;
  change: StateChange;
  admin?: boolean;
  /** The log line, written once the change is (so a change another server decides again is logged once). */
  note: string;
}

export interface MonitorWritesOptions {
  monitors: MonitorRepository;
  results: ResultRepository;
  logger: LoggerService;
  storage: StorageHealth;
  metrics: MetricsService;
  /** Whether the runtime still holds the monitor (results of one deleted meanwhile are not written). */
  holds: (monitorId: number) => boolean;
  /** The cluster the runtime takes part in (SOLE_SERVER until MonitorCluster attaches one). */
  cluster: () => RuntimeCluster;
}

/** The durable record of what the runtime decides in memory: results and state changes, batched and retried while the database fails. */
export class MonitorWrites {
  private readonly logger: LoggerService;
  private readonly resultWriter: BatchWriter<PendingWrite>;
  /** State changes, written in order; kept and retried while the database fails, like results. */
  private readonly stateWriter: BatchWriter<PendingChange>;

  constructor(private readonly options: MonitorWritesOptions) {
    const { logger, storage, metrics } = options;
    this.logger = logger;
    this.resultWriter = new BatchWriter<PendingWrite>({
      name: 'check results',
      flushIntervalMs: 250,
      maxBatchSize: 500,
      maxPending: 100_000,
      logger,
      write: (items) => this.writeResults(items),
      // A poller waiting for its answer hears the batch was not stored: 503, and it sends the results again.
      onGivenUp: (items) => items.forEach((item) => item.stored?.('not-written')),
      storage,
      metrics: writeQueueMetrics(metrics, 'results', () => this.resultWriter.pendingCount),
    });
    this.stateWriter = new BatchWriter({
      name: 'monitor state changes',
      flushIntervalMs: 0,
      maxBatchSize: 500,
      maxPending: 100_000,
      logger,
      write: (changes) => this.writeChanges(changes),
      storage,
      metrics: writeQueueMetrics(metrics, 'monitor_states', () => this.stateWriter.pendingCount),
    });
  }

  /** Queues a result as its row; false when the queue is full (the database has been failing). */
  pushResult({ monitorId, source, result, checkedAt, latest, deltas, stored }: ResultToWrite): boolean {
    return this.resultWriter.push({
      result: {
        monitorId,
        source,
        checkedAt,
        status: result.status,
        latencyMs: result.latencyMs,
        message: result.message,
        details: result.details ? JSON.stringify(result.details) : null,
      },
      source: latest ? { monitorId, source, ...latest } : null,
      deltas,
      stored,
    });
  }

  /** Queues a state change; false when the queue is full (the database has been failing). */
  pushChange(change: PendingChange): boolean {
    return this.stateWriter.push(change);
  }

  /** The queued results are written now rather than after the interval. */
  hurryResults(): void {
    this.resultWriter.hurry();
  }

  /** Waits until every result and state change queued so far is in the database. */
  async settle(): Promise<void> {
    await this.resultWriter.flush().catch((error: Error) => this.logger.warn(`results not yet written: ${error.message}`));
    await this.stateWriter.flush().catch((error: Error) => this.logger.warn(`state changes not yet written: ${error.message}`));
  }

  async close(): Promise<void> {
    await this.resultWriter.close();
    await this.stateWriter.close();
  }

  private async writeResults(batch: PendingWrite[]): Promise<void> {
    const { holds } = this.options;
    // Results of a monitor deleted since they were queued are dropped, not written as orphans.
    const items = batch.filter((item) => holds(item.result.monitorId));
    for (const item of batch) if (!holds(item.result.monitorId)) item.stored?.(null);
    const latestSources = new Map<string, MonitorSource>();
    for (const { source } of items) {
      if (!source) continue;
      const key = `${source.monitorId}|${source.source}`;
      const known = latestSources.get(key);
      if (!known || known.checkedAt <= source.checkedAt) latestSources.set(key, source);
    }
    const isNew = await this.options.results.writeBatch(
      items.map((item) => ({ row: item.result, deltas: item.deltas })),
      [...latestSources.values()],
    );
    items.forEach((item, index) => item.stored?.(isNew[index]!));
    this.options.cluster().resultsWritten([...new Set(items.map((item) => item.result.monitorId))]);
  }

  /**
   * State changes in order, in one transaction. Several servers: only those of monitors this server still
   * holds (and a user's pause or resume, from any server) are written; the others are told.
   */
  private async writeChanges(changes: PendingChange[]): Promise<void> {
    const { monitors } = this.options;
    const cluster = this.options.cluster();
    let written = changes;
    if (cluster === SOLE_SERVER) await monitors.applyChanges(changes);
    else
      await monitors.applyChanges(changes, async (manager) => {
        const decided = [...new Set(changes.filter((item) => !item.admin).map((item) => item.monitorId))];
        const writable = await cluster.writableStates(manager, decided);
        const kept = changes.filter((item) => item.admin || writable.has(item.monitorId));
        if (kept.length < changes.length)
          this.logger.warn(`${changes.length - kept.length} state change(s) not written: another server decides those monitors now`);
        await cluster.statesWritten([...new Set(kept.map((item) => item.monitorId))], manager);
        written = kept;
        return kept;
      });
    // Once committed: a change this server could not write is logged by the server that decides it again.
    for (const { note } of written) this.logger.log(note);
  }
}
