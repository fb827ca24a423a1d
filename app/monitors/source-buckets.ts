import type { CheckResultRow } from './check-result.entity.js';
import type { BucketPeriod } from './monitor-bucket.entity.js';
import { PERIOD_MS } from './uptime-buckets.js';

/** What a batch of results adds to one source's minute or hour bucket; the repository adds it to the stored row. */
export interface SourceBucketDelta {
  monitorId: number;
  source: string;
  period: BucketPeriod;
  bucketStart: number;
  checks: number;
  downChecks: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMinMs: number | null;
  latencyMaxMs: number | null;
}

type ResultFigures = Pick<CheckResultRow, 'monitorId' | 'source' | 'checkedAt' | 'status' | 'latencyMs'>;

/**
 * The per-source minute and hour bucket deltas of newly stored results, one per bucket (PostgreSQL
 * refuses to upsert the same row twice in one statement). Unlike the monitor's buckets these need no
 * state held between results: each result adds a check and its latency to the buckets it falls in.
 */
export function sourceBucketDeltas(results: readonly ResultFigures[]): SourceBucketDelta[] {
  const deltas = new Map<string, SourceBucketDelta>();
  for (const result of results) {
    for (const period of ['minute', 'hour'] as const) {
      const bucketStart = Math.floor(result.checkedAt / PERIOD_MS[period]) * PERIOD_MS[period];
      const key = `${result.monitorId}|${result.source}|${period}|${bucketStart}`;
      let delta = deltas.get(key);
      if (!delta) {
        delta = {
          monitorId: result.monitorId,
          source: result.source,
          period,
          bucketStart,
          checks: 0,
          downChecks: 0,
          latencyCount: 0,
          latencySumMs: 0,
          latencyMinMs: null,
          latencyMaxMs: null,
        };
        deltas.set(key, delta);
      }
      delta.checks++;
      if (result.status === 'down') delta.downChecks++;
      const latency = result.latencyMs;
      if (latency !== null && Number.isFinite(latency)) {
        delta.latencyCount++;
        delta.latencySumMs += latency;
        delta.latencyMinMs = delta.latencyMinMs === null ? latency : Math.min(delta.latencyMinMs, latency);
        delta.latencyMaxMs = delta.latencyMaxMs === null ? latency : Math.max(delta.latencyMaxMs, latency);
      }
    }
  }
  return [...deltas.values()];
}
