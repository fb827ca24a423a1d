import type { AggregateStatus } from './aggregate-status.js';
import type { BucketPeriod } from './monitor-bucket.entity.js';

export const PERIOD_MS: Record<BucketPeriod, number> = { minute: 60_000, hour: 3_600_000 };

/** What one result adds to one bucket; the repository adds these to the stored row. */
export interface BucketDelta {
  monitorId: number;
  period: BucketPeriod;
  bucketStart: number;
  upMs: number;
  warningMs: number;
  downMs: number;
  maintenanceMs: number;
  checks: number;
  downChecks: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMinMs: number | null;
  latencyMaxMs: number | null;
  /** Absolute, not added: the p95 of the samples this process saw in the bucket. */
  latencyP95Ms: number | null;
}

/** What the monitor's state was between two results, for time-weighted uptime. */
export type HeldState = AggregateStatus | 'maintenance' | null;

export interface ResultSample {
  at: number;
  status: 'up' | 'down' | 'warning';
  latencyMs: number | null;
}

/**
 * Per-monitor accounting for the minute and hour buckets. The time since the previous result is credited
 * to the state the monitor held (capped at the freshness window, so a stopped server or an unknown stretch
 * counts as nothing) in the bucket of the newer result; latency samples of the current buckets are kept to
 * give an exact p95.
 */
export class BucketAccumulator {
  private accountedUntil: number | null = null;
  private readonly current: Record<BucketPeriod, { start: number; samples: number[] } | null> = { minute: null, hour: null };

  constructor(private readonly monitorId: number) {}

  /** One result: returns the minute and hour deltas to write. */
  record(sample: ResultSample, held: HeldState, capMs: number): BucketDelta[] {
    const elapsed = this.accountedUntil === null ? 0 : Math.max(0, Math.min(sample.at - this.accountedUntil, capMs));
    this.accountedUntil = Math.max(this.accountedUntil ?? sample.at, sample.at);
    return (['minute', 'hour'] as const).map((period) => {
      const start = Math.floor(sample.at / PERIOD_MS[period]) * PERIOD_MS[period];
      let bucket = this.current[period];
      if (!bucket || bucket.start !== start) {
        // A late result for an older bucket (a poller catching up) gets added, without a p95 of its own.
        if (bucket && start < bucket.start) return this.delta(period, start, sample, held, elapsed, null);
        bucket = this.current[period] = { start, samples: [] };
      }
      if (sample.latencyMs !== null) bucket.samples.push(sample.latencyMs);
      return this.delta(period, start, sample, held, elapsed, percentile(bucket.samples, 0.95));
    });
  }

  /** Paused (or deleted): the time until the next result is not charged to any state. */
  stopAccounting(): void {
    this.accountedUntil = null;
  }

  private delta(
    period: BucketPeriod,
    bucketStart: number,
    sample: ResultSample,
    held: HeldState,
    elapsed: number,
    p95: number | null,
  ): BucketDelta {
    const latency = sample.latencyMs;
    return {
      monitorId: this.monitorId,
      period,
      bucketStart,
      upMs: held === 'up' ? elapsed : 0,
      warningMs: held === 'warning' ? elapsed : 0,
      downMs: held === 'down' ? elapsed : 0,
      maintenanceMs: held === 'maintenance' ? elapsed : 0,
      checks: 1,
      downChecks: sample.status === 'down' ? 1 : 0,
      latencyCount: latency === null ? 0 : 1,
      latencySumMs: latency ?? 0,
      latencyMinMs: latency,
      latencyMaxMs: latency,
      latencyP95Ms: p95,
    };
  }
}

/** Nearest-rank percentile; null without samples. */
export function percentile(samples: readonly number[], fraction: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/**
 * What a result already stored adds: only the time the monitor held its state (never credited twice, as
 * the accumulator's clock only moves forward), no check, no latency, no down count.
 */
export function timeOnly(delta: BucketDelta): BucketDelta {
  return {
    ...delta,
    checks: 0,
    downChecks: 0,
    latencyCount: 0,
    latencySumMs: 0,
    latencyMinMs: null,
    latencyMaxMs: null,
    latencyP95Ms: null,
  };
}

/** Deltas for the same bucket merged (one row per bucket per write: PostgreSQL refuses to upsert a row twice). */
export function mergeDeltas(deltas: readonly BucketDelta[]): BucketDelta[] {
  const merged = new Map<string, BucketDelta>();
  for (const delta of deltas) {
    const key = `${delta.monitorId}/${delta.period}/${delta.bucketStart}`;
    const known = merged.get(key);
    if (!known) {
      merged.set(key, { ...delta });
      continue;
    }
    known.upMs += delta.upMs;
    known.warningMs += delta.warningMs;
    known.downMs += delta.downMs;
    known.maintenanceMs += delta.maintenanceMs;
    known.checks += delta.checks;
    known.downChecks += delta.downChecks;
    known.latencyCount += delta.latencyCount;
    known.latencySumMs += delta.latencySumMs;
    known.latencyMinMs = minOf(known.latencyMinMs, delta.latencyMinMs);
    known.latencyMaxMs = maxOf(known.latencyMaxMs, delta.latencyMaxMs);
    known.latencyP95Ms = delta.latencyP95Ms ?? known.latencyP95Ms;
  }
  return [...merged.values()];
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Time-weighted uptime in percent (warning counts as up; maintenance is left out); null without data. */
export function uptimePercent(totals: { upMs: number; warningMs: number; downMs: number }): number | null {
  const counted = totals.upMs + totals.warningMs + totals.downMs;
  if (counted === 0) return null;
  return Math.round(((totals.upMs + totals.warningMs) / counted) * 100_000) / 1000;
}
