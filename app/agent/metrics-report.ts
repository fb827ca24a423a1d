import type { MetricSample } from '../plugin-host/contracts.js';

/*
 * The agent's report (SPEC §5, POST /api/agent/metrics) and how collector samples become one. The rule is
 * the same for every collector: a sample's metric name is its path in the report (`cpu.percent` →
 * `cpu.percent`, `uptime_s` → `uptime_s`); a labelled sample of a list (`disks.*`, `net.*`) goes to the
 * row its key label names (`mount`, `iface`), its other labels becoming that row's text fields; an info
 * sample (`host.info`, value 1) carries text facts as labels (`hostname`, `os`). Samples with no place in
 * the report are left out and named, so a drop-in collector that measures something new is told so.
 */

export interface DiskReport {
  mount: string;
  fs: string;
  size: number;
  used: number;
  percent: number;
}

export interface NetReport {
  iface: string;
  rx_bps: number;
  tx_bps: number;
}

export interface MetricsReport {
  hostname: string;
  os?: string;
  uptime_s?: number;
  cpu?: { percent?: number; load1?: number; load5?: number; load15?: number; cores?: number };
  memory?: { total?: number; used?: number; percent?: number };
  swap?: { total?: number; used?: number; percent?: number };
  disks?: DiskReport[];
  net?: NetReport[];
  /** When the agent collected it, by its own clock (ISO 8601). */
  collected_at: string;
  /** Seconds between the agent's reports: the server calls it down after 3 intervals of silence. */
  interval?: number;
}

/** Top-level scalars and the fields of the sections, by metric name. */
export const REPORT_SCALARS: ReadonlySet<string> = new Set([
  'uptime_s',
  'cpu.percent',
  'cpu.load1',
  'cpu.load5',
  'cpu.load15',
  'cpu.cores',
  'memory.total',
  'memory.used',
  'memory.percent',
  'swap.total',
  'swap.used',
  'swap.percent',
]);

/** The lists of the report: which label names a row, which labels are text fields, which metrics are numbers. */
export const REPORT_LISTS = {
  disks: { key: 'mount', text: ['mount', 'fs'], numbers: ['size', 'used', 'percent'] },
  net: { key: 'iface', text: ['iface'], numbers: ['rx_bps', 'tx_bps'] },
} as const;

/** Info samples and the labels they carry to the top level of the report. */
export const REPORT_INFO: Readonly<Record<string, readonly ('hostname' | 'os')[]>> = { 'host.info': ['hostname', 'os'] };

export interface BuiltReport {
  report: MetricsReport;
  /** Metric names that have no place in the report (and rows missing a figure), for a log line. */
  leftOut: string[];
}

/** One report from the samples of one collection round. `hostname` is the fallback when no info sample names it. */
export function buildMetricsReport(
  samples: readonly MetricSample[],
  base: { hostname: string; collectedAt: number; interval: number },
): BuiltReport {
  const report: Record<string, unknown> = { hostname: base.hostname };
  const leftOut = new Set<string>();
  const rows: Record<string, Map<string, Record<string, string | number>>> = {};
  for (const sample of samples) {
    const info = REPORT_INFO[sample.metric];
    if (info) {
      for (const key of info) if (typeof sample.labels?.[key] === 'string' && sample.labels[key] !== '') report[key] = sample.labels[key];
      continue;
    }
    if (!Number.isFinite(sample.value)) {
      leftOut.add(`${sample.metric} (not a number)`);
      continue;
    }
    const [head, field] = splitMetric(sample.metric);
    const list = REPORT_LISTS[head as keyof typeof REPORT_LISTS];
    if (list && field && (list.numbers as readonly string[]).includes(field)) {
      const key = sample.labels?.[list.key];
      if (!key) {
        leftOut.add(`${sample.metric} (no ${list.key} label)`);
        continue;
      }
      const byKey = (rows[head] ??= new Map());
      const row = byKey.get(key) ?? {};
      for (const label of list.text) if (sample.labels?.[label] !== undefined) row[label] = sample.labels[label]!;
      row[field] = sample.value;
      byKey.set(key, row);
    } else if (REPORT_SCALARS.has(sample.metric)) {
      if (field) ((report[head] ??= {}) as Record<string, number>)[field] = sample.value;
      else report[head] = sample.value;
    } else {
      leftOut.add(sample.metric);
    }
  }
  for (const [name, list] of Object.entries(REPORT_LISTS)) {
    const byKey = rows[name];
    if (!byKey) continue;
    report[name] = [...byKey.values()].filter((row) => {
      const complete = [...list.text, ...list.numbers].every((field) => row[field] !== undefined);
      if (!complete) leftOut.add(`${name} row ${String(row[list.key])} (incomplete)`);
      return complete;
    });
  }
  report.collected_at = new Date(base.collectedAt).toISOString();
  report.interval = base.interval;
  return { report: report as unknown as MetricsReport, leftOut: [...leftOut] };
}

function splitMetric(metric: string): [string, string | null] {
  const dot = metric.indexOf('.');
  return dot < 0 ? [metric, null] : [metric.slice(0, dot), metric.slice(dot + 1)];
}
