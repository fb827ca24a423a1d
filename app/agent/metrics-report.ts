import type { MetricSample } from '../plugin-host/contracts.js';

/*
 * The agent's report (SPEC §5, POST /api/agent/metrics) and how collector samples become one. The rule is
 * the same for every collector: a sample's metric name is its path in the report (`cpu.percent` →
 * `cpu.percent`, `uptime_s` → `uptime_s`); a labelled sample of a list (`disks.*`, `net.*`) goes to the
 * row its key label names (`mount`, `iface`), its other labels becoming that row's text fields; an info
 * sample (`host.info`, value 1) carries text facts as labels (`hostname`, `os`). Any other sample — a
 * drop-in collector's `processes.total` — goes to `extra` as it is, so the server keeps its history too.
 * What cannot be sent (not a number, a name or labels the server would refuse) is left out and named.
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

/** A sample with no place of its own in the report (a drop-in collector's), sent as it is. */
export interface ExtraFigure {
  metric: string;
  value: number;
  labels?: Record<string, string>;
}

/** What the server takes in `extra`: dotted lowercase names (they name history series), a few short labels. */
export const EXTRA_LIMITS = {
  metric: /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/,
  metricLength: 32,
  labelName: /^[a-z_][a-z0-9_]{0,31}$/,
  labels: 8,
  labelValueLength: 100,
  /** The labels joined as `name=value,…` name a history series: the server keeps 255 characters of it. */
  seriesLength: 255,
  figures: 500,
} as const;

/** Why the server would refuse this extra figure, or null. */
export function extraFigureProblem(figure: ExtraFigure): string | null {
  if (figure.metric.length > EXTRA_LIMITS.metricLength || !EXTRA_LIMITS.metric.test(figure.metric)) return EXTRA_METRIC_MESSAGE;
  return labelsProblem(figure.labels ?? {});
}

export const EXTRA_METRIC_MESSAGE = `metric must be a lowercase dotted name of at most ${EXTRA_LIMITS.metricLength} characters`;

/** Why the server would refuse these labels, or null. */
export function labelsProblem(labels: Record<string, unknown>): string | null {
  const entries = Object.entries(labels);
  if (entries.length > EXTRA_LIMITS.labels) return `at most ${EXTRA_LIMITS.labels} labels`;
  for (const [name, value] of entries) {
    if (!EXTRA_LIMITS.labelName.test(name)) return `label "${name.slice(0, 40)}" must be a lowercase name`;
    if (typeof value !== 'string' || value.length > EXTRA_LIMITS.labelValueLength)
      return `label ${name} must be text of at most ${EXTRA_LIMITS.labelValueLength} characters`;
  }
  if (seriesOfLabels(labels as Record<string, string>).length > EXTRA_LIMITS.seriesLength)
    return `labels must be at most ${EXTRA_LIMITS.seriesLength} characters together (as name=value,…)`;
  return null;
}

/** The labels as the name of their history series: `name=value`, sorted by name, joined by commas. */
export function seriesOfLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
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
  extra?: ExtraFigure[];
  /** When the agent collected it, by its own clock (ISO 8601). */
  collected_at: string;
  /** Seconds between the agent's reports: the server calls it down after 3 intervals of silence. */
  interval?: number;
  /** The agent's version (`0.1.0`), shown in the agents list. */
  version?: string;
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
  /** Samples that cannot be sent (not a number, a row missing a figure, a name the server refuses), for a log line. */
  leftOut: string[];
}

/** One report from the samples of one collection round. `hostname` is the fallback when no info sample names it. */
export function buildMetricsReport(
  samples: readonly MetricSample[],
  base: { hostname: string; collectedAt: number; interval: number; version?: string },
): BuiltReport {
  const report: Record<string, unknown> = { hostname: base.hostname };
  const leftOut = new Set<string>();
  const rows: Record<string, Map<string, Record<string, string | number>>> = {};
  const extra: ExtraFigure[] = [];
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
      const figure: ExtraFigure = sample.labels
        ? { metric: sample.metric, value: sample.value, labels: sample.labels }
        : { metric: sample.metric, value: sample.value };
      const problem = extraFigureProblem(figure);
      if (problem) leftOut.add(`${sample.metric.slice(0, 60)} (${problem})`);
      else if (extra.length >= EXTRA_LIMITS.figures) leftOut.add(`${sample.metric} (more than ${EXTRA_LIMITS.figures} extra figures)`);
      else extra.push(figure);
    }
  }
  if (extra.length > 0) report.extra = extra;
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
  if (base.version) report.version = base.version;
  return { report: report as unknown as MetricsReport, leftOut: [...leftOut] };
}

function splitMetric(metric: string): [string, string | null] {
  const dot = metric.indexOf('.');
  return dot < 0 ? [metric, null] : [metric.slice(0, dot), metric.slice(dot + 1)];
}
