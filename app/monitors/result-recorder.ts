import type { LoggerService } from '@nestjs/common';
import type { CheckResult } from '../plugin-host/contracts.js';
import type { Clock } from '../runtime/clock.js';
import { staleAfterMs } from './aggregate-status.js';
import type { LatestResult, LiveMonitor } from './live-monitor.js';
import type { MonitorSources } from './monitor-sources.js';
import type { MonitorStateKeeper } from './monitor-state-keeper.js';
import type { MonitorWrites, ResultStored } from './monitor-writes.js';
import type { RuntimeCluster } from './runtime-cluster.js';

/** Why a reported result is not taken. */
export type RecordRefusal = 'unknown-monitor' | 'paused' | 'not-a-source' | 'overloaded';

/** A reported result the monitor does not take (it is gone, paused, or not checked from that source). */
export class RecordRefused extends Error {
  override name = 'RecordRefused';
  constructor(readonly refusal: RecordRefusal) {
    super(refusal);
  }
}

export interface ResultRecorderOptions {
  /** The runtime's live monitors, by id (read here; a result changes only the monitor it is of). */
  live: ReadonlyMap<number, LiveMonitor>;
  sources: MonitorSources;
  writes: MonitorWrites;
  states: MonitorStateKeeper;
  clock: Clock;
  logger: LoggerService;
  /** The cluster the runtime takes part in now. */
  cluster: () => RuntimeCluster;
}

/** Takes a source's result for a live monitor: noted as its latest, counted into uptime, queued for writing, the state judged. */
export class ResultRecorder {
  constructor(private readonly options: ResultRecorderOptions) {}

  /** Records one result; null when taken, else why not. `stored` hears when it is in the database. */
  record(monitorId: number, source: string, result: CheckResult, checkedAt: number, stored?: ResultStored): RecordRefusal | null {
    const { sources, writes, states, clock, logger } = this.options;
    const live = this.options.live.get(monitorId);
    if (!live) return 'unknown-monitor';
    if (live.monitor.paused) return 'paused';
    if (!live.sourceKeys().includes(source)) return 'not-a-source';
    const latest: LatestResult = { status: result.status, latencyMs: result.latencyMs, message: result.message, checkedAt };
    const previous = live.sources.get(source);
    const newest = !previous || previous.checkedAt <= checkedAt;
    if (newest) sources.noteLatest(live, source, latest);
    // The server that decides the monitor credits the time it held its state; another one counts the check only.
    const decides = this.options.cluster().decides(monitorId);
    const deltas = live.buckets.record(
      { at: checkedAt, status: result.status, latencyMs: result.latencyMs },
      decides ? live.held : null,
      decides ? staleAfterMs(live.intervalMs) : 0,
    );
    const accepted = writes.pushResult({ monitorId, source, result, checkedAt, latest: newest ? latest : null, deltas, stored });
    if (!accepted) {
      logger.warn(`result of monitor ${monitorId} (${source}) dropped: the database has been failing and the write queue is full`);
      return 'overloaded';
    }
    // A replayed old result is history: the state follows the newest result of each source.
    if (newest) states.evaluate(live, Math.max(checkedAt, clock.now()));
    return null;
  }

  /**
   * Records one result and resolves once it is in the database: `stored`, or `duplicate` when a result of
   * that source at that time was stored before. Rejects with the refusal when the monitor does not take it.
   */
  recordAndWait(monitorId: number, source: string, result: CheckResult, checkedAt: number): Promise<'stored' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      const refusal = this.record(monitorId, source, result, checkedAt, (isNew) => {
        if (isNew === 'not-written') reject(new RecordRefused('overloaded'));
        else if (isNew === null) reject(new RecordRefused('unknown-monitor'));
        else resolve(isNew ? 'stored' : 'duplicate');
      });
      if (refusal) reject(new RecordRefused(refusal));
    });
  }
}
