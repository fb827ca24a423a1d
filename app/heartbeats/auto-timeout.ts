/**
 * Lovebeat's automatic timeout (-2), from the intervals between recorded beats, oldest first:
 *
 *   1. keep the last 20 intervals (intervals under 1 s are never recorded);
 *   2. drop values outside mean ± 3σ (population σ);
 *   3. timeout = EWMA(com=10) + 3 · EWM-stddev + 1 s.
 *
 * The EWM statistics are pandas' `ewm(com=10, adjust=True)`: weights (1-α)^age with α = 1/(1+com), the
 * newest weighing 1. The variance is the one Lovebeat's notebook used (pandas' classic `ewmvar` with
 * bias=False): the weighted biased variance times (1 + 2·com) / (2·com). That is the definition which
 * reproduces SPEC's test vectors ([60000, 120000] → 184547 ms); pandas' newer bias correction
 * ((Σw)² / ((Σw)² − Σw²)) gives 219707 ms there instead.
 *
 * The input is never reordered: the newest interval must weigh most. (Lovebeat's shipped code sorted the
 * history in place, so the "newest" was always the largest and the timeout only ever went up.)
 */

export const MAX_INTERVALS = 20;
export const MIN_RECORDED_INTERVAL_MS = 1000;
/** Below this many intervals a service with an automatic timeout is still learning (`new`). */
export const LEARNING_INTERVALS = 2;
/** `analysis` needs this many intervals to say anything. */
export const ANALYSIS_INTERVALS = 10;

const COM = 10;
const DECAY = 1 - 1 / (1 + COM);
const VARIANCE_CORRECTION = (1 + 2 * COM) / (2 * COM);
const MARGIN_MS = 1000;
/** Coefficient of variation above which a rhythm is called unstable. */
const UNSTABLE_VARIATION = 0.3;

export interface EwmStatistics {
  mean: number;
  std: number;
  /** Intervals that survived the 3σ filter. */
  kept: number;
}

export function ewmStatistics(intervals: readonly number[]): EwmStatistics {
  const recent = intervals.length > MAX_INTERVALS ? intervals.slice(-MAX_INTERVALS) : intervals;
  if (recent.length === 0) return { mean: 0, std: 0, kept: 0 };
  let sum = 0;
  for (const value of recent) sum += value;
  const mean = sum / recent.length;
  let squares = 0;
  for (const value of recent) squares += (value - mean) ** 2;
  const limit = 3 * Math.sqrt(squares / recent.length);
  const kept = recent.filter((value) => Math.abs(value - mean) <= limit);

  let weightSum = 0;
  let weighted = 0;
  for (let index = 0; index < kept.length; index++) {
    const weight = DECAY ** (kept.length - 1 - index);
    weightSum += weight;
    weighted += weight * kept[index]!;
  }
  const ewma = weighted / weightSum;
  let spread = 0;
  for (let index = 0; index < kept.length; index++) spread += DECAY ** (kept.length - 1 - index) * (kept[index]! - ewma) ** 2;
  const variance = (spread / weightSum) * VARIANCE_CORRECTION;
  return { mean: ewma, std: Math.sqrt(variance), kept: kept.length };
}

/** The automatic timeout in milliseconds for these intervals (oldest first). */
export function autoTimeoutMs(intervals: readonly number[]): number {
  const { mean, std } = ewmStatistics(intervals);
  return Math.round(mean + 3 * std + MARGIN_MS);
}

export interface BeatAnalysis {
  /** The shortest interval the rhythm expects (ms): EWMA − 3σ, not below 0. */
  lower: number;
  /** The longest interval the rhythm expects (ms): EWMA + 3σ. */
  upper: number;
  /** The intervals vary by more than 30 % of their mean. */
  unstable: boolean;
}

/** What the beat rhythm looks like, from 10 intervals on; null before that. */
export function analyseIntervals(intervals: readonly number[]): BeatAnalysis | null {
  if (intervals.length < ANALYSIS_INTERVALS) return null;
  const { mean, std } = ewmStatistics(intervals);
  return {
    lower: Math.max(0, Math.round(mean - 3 * std)),
    upper: Math.round(mean + 3 * std),
    unstable: mean > 0 && std / mean > UNSTABLE_VARIATION,
  };
}
