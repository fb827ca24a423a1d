import { seriesOfLabels, type MetricsReport } from '../agent/metrics-report.js';
import type { AgentBucketPeriod } from './agent-bucket.entity.js';

/*
 * Which figures of a report get a history, and the bucket arithmetic (pure). A report adds one sample to
 * the minute and the hour bucket of each of its series; avg = sum / samples, max kept as reports arrive.
 */

export const PERIOD_MS: Readonly<Record<AgentBucketPeriod, number>> = { minute: 60_000, hour: 3_600_000 };

/** The metrics with a history; `disks.*` per mount, `net.*` per interface. Sizes and totals are left out: they hardly move. */
export const HISTORY_METRICS = [
  'cpu.percent',
  'cpu.load1',
  'cpu.load5',
  'cpu.load15',
  'memory.percent',
  'memory.used',
  'swap.percent',
  'swap.used',
  'disks.percent',
  'disks.used',
  'net.rx_bps',
  'net.tx_bps',
] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

export interface SeriesValue {
  /** One of HISTORY_METRICS, or the name of an extra figure (a drop-in collector's). */
  metric: string;
  /** The mount or interface; '' for a plain metric. */
  series: string;
  value: number;
}

export function seriesOf(report: MetricsReport): SeriesValue[] {
  const values: SeriesValue[] = [];
  const add = (metric: HistoryMetric, value: number | undefined, series = '') => {
    if (typeof value === 'number' && Number.isFinite(value)) values.push({ metric, series, value });
  };
  add('cpu.percent', report.cpu?.percent);
  add('cpu.load1', report.cpu?.load1);
  add('cpu.load5', report.cpu?.load5);
  add('cpu.load15', report.cpu?.load15);
  add('memory.percent', report.memory?.percent);
  add('memory.used', report.memory?.used);
  add('swap.percent', report.swap?.percent);
  add('swap.used', report.swap?.used);
  for (const disk of report.disks ?? []) {
    add('disks.percent', disk.percent, disk.mount);
    add('disks.used', disk.used, disk.mount);
  }
  for (const card of report.net ?? []) {
    add('net.rx_bps', card.rx_bps, card.iface);
    add('net.tx_bps', card.tx_bps, card.iface);
  }
  // Extra figures keep a history under their own name; their labels (name=value, sorted) tell the series apart.
  // The report's checks (EXTRA_LIMITS) keep the joined labels within the series column.
  for (const figure of report.extra ?? [])
    if (Number.isFinite(figure.value))
      values.push({ metric: figure.metric, series: seriesOfLabels(figure.labels ?? {}), value: figure.value });
  return values;
}

export interface MetricDelta {
  agentId: number;
  period: AgentBucketPeriod;
  bucketStart: number;
  metric: string;
  series: string;
  samples: number;
  sum: number;
  max: number;
}

/** One report's contribution to its minute and hour buckets. `at` is when it was collected, by the server's clock. */
export function bucketDeltas(agentId: number, at: number, values: readonly SeriesValue[]): MetricDelta[] {
  const deltas: MetricDelta[] = [];
  for (const period of ['minute', 'hour'] as const) {
    const bucketStart = Math.floor(at / PERIOD_MS[period]) * PERIOD_MS[period];
    for (const { metric, series, value } of values)
      deltas.push({ agentId, period, bucketStart, metric, series, samples: 1, sum: value, max: value });
  }
  return deltas;
}

/** Deltas for the same bucket row added up, so a batch writes each row once. */
export function mergeMetricDeltas(deltas: readonly MetricDelta[]): MetricDelta[] {
  const merged = new Map<string, MetricDelta>();
  for (const delta of deltas) {
    const key = `${delta.agentId}|${delta.period}|${delta.bucketStart}|${delta.metric}|${delta.series}`;
    const known = merged.get(key);
    if (!known) merged.set(key, { ...delta });
    else {
      known.samples += delta.samples;
      known.sum += delta.sum;
      known.max = Math.max(known.max, delta.max);
    }
  }
  return [...merged.values()];
}
