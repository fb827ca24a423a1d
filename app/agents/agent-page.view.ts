import type { ChartPoint } from '../web/charts/chart-scale.js';
import { lineChart, type ChartSeries } from '../web/charts/line-chart.js';
import { usageBar } from '../web/charts/usage-bar.js';
import { formatDuration } from '../web/view-helpers.js';
import type { HistorySeriesView } from './agent.views.js';
import type { AgentDetailView, AgentView, ThresholdView } from './agent.views.js';

/*
 * How the console shows an agent (pure): its figures as bars and words, its history as charts, and its
 * thresholds as a form. The pages controller only reads and passes these on.
 */

export type AgentRange = '1h' | '24h' | '7d' | '30d';
export const AGENT_RANGES: Record<AgentRange, { ms: number; period: 'minute' | 'hour'; label: string }> = {
  '1h': { ms: 3_600_000, period: 'minute', label: 'last hour' },
  '24h': { ms: 86_400_000, period: 'minute', label: 'last 24 hours' },
  '7d': { ms: 7 * 86_400_000, period: 'hour', label: 'last 7 days' },
  '30d': { ms: 30 * 86_400_000, period: 'hour', label: 'last 30 days' },
};
const PERIOD_MS = { minute: 60_000, hour: 3_600_000 } as const;

/** `0 B`, `512 KB`, `6.2 GB`, `1.8 TB` (powers of 1000, as disks are sold and `df -H` shows them). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 || value >= 100 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

/** `850 bit/s`, `1.2 Mbit/s`: a network rate given in bytes per second, in bits as links are rated. */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return '—';
  const bits = bytesPerSecond * 8;
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let value = bits;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 || value >= 100 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

/** `+2 h 0 min ahead`, `3.1 s behind`, `in step` (under a second either way). */
export function formatSkew(ms: number | null): string {
  if (ms === null) return '—';
  if (Math.abs(ms) < 1000) return 'in step';
  return `${formatDuration(Math.abs(ms))} ${ms > 0 ? 'ahead' : 'behind'}`;
}

/** A list row: state and reason, host, and the headline figures as bars against the agent's thresholds. */
export function agentRowView(agent: AgentView, thresholds: { cpu_percent: number; memory_percent: number; disk_percent: number }) {
  return {
    ...agent,
    lastSeen: agent.last_seen_at ? Date.parse(agent.last_seen_at) : null,
    since: agent.since ? Date.parse(agent.since) : null,
    cpuBar: usageBar('CPU', agent.cpu_percent, thresholds.cpu_percent),
    memoryBar: usageBar('Memory', agent.memory_percent, thresholds.memory_percent),
    diskBar: usageBar(agent.disk ? `Disk ${agent.disk.mount}` : 'Disk', agent.disk?.percent, thresholds.disk_percent),
  };
}

/** The agent page's figures: every bar, the load, the network and the clock. */
export function agentFiguresView(agent: AgentDetailView) {
  const latest = agent.latest;
  const { thresholds } = agent;
  return {
    collectedAt: agent.collected_at ? Date.parse(agent.collected_at) : null,
    cpu: usageBar('CPU', latest?.cpu?.percent, thresholds.cpu_percent),
    cores: latest?.cpu?.cores ?? null,
    memory: usageBar('Memory', latest?.memory?.percent, thresholds.memory_percent),
    memoryText: latest?.memory?.total ? `${formatBytes(latest.memory.used)} of ${formatBytes(latest.memory.total)}` : null,
    swap: latest?.swap?.total ? usageBar('Swap', latest.swap.percent) : null,
    swapText: latest?.swap?.total ? `${formatBytes(latest.swap.used)} of ${formatBytes(latest.swap.total)}` : null,
    load:
      latest?.cpu && typeof latest.cpu.load1 === 'number'
        ? [latest.cpu.load1, latest.cpu.load5, latest.cpu.load15].map((value) => (typeof value === 'number' ? value.toFixed(2) : '—'))
        : null,
    disks: agent.disks.map((disk) => ({
      ...disk,
      bar: usageBar(`Disk ${disk.mount}`, disk.percent, thresholds.disk_percent),
      sizeText: `${formatBytes(disk.used)} of ${formatBytes(disk.size)}`,
    })),
    net: (latest?.net ?? []).map((card) => ({ iface: card.iface, rx: formatRate(card.rx_bps), tx: formatRate(card.tx_bps) })),
    uptime: typeof latest?.uptime_s === 'number' ? formatDuration(latest.uptime_s * 1000) : null,
    skew: formatSkew(agent.clock_skew_ms),
    skewLarge: agent.clock_skew_ms !== null && Math.abs(agent.clock_skew_ms) >= 60_000,
  };
}

/** Points of one history series, a gap (null) wherever buckets are missing, so a silence shows as one. */
export function seriesPoints(series: HistorySeriesView | undefined, period: 'minute' | 'hour'): ChartPoint[] {
  const points: ChartPoint[] = [];
  let previous: number | null = null;
  for (const point of series?.points ?? []) {
    const t = Date.parse(point.at);
    if (previous !== null && t - previous > 2 * PERIOD_MS[period]) points.push({ t: previous + PERIOD_MS[period], v: null });
    points.push({ t, v: point.avg });
    previous = t;
  }
  return points;
}

/** The two charts of the agent page: CPU and memory, and each disk, in percent over the range. */
export function agentCharts(history: HistorySeriesView[], range: AgentRange, from: number, to: number) {
  const { period, label } = AGENT_RANGES[range];
  const find = (metric: string, series = '') => history.find((one) => one.metric === metric && one.series === series);
  const usage: ChartSeries[] = [
    { name: 'CPU', points: seriesPoints(find('cpu.percent'), period) },
    { name: 'Memory', points: seriesPoints(find('memory.percent'), period) },
  ];
  const disks: ChartSeries[] = history
    .filter((one) => one.metric === 'disks.percent')
    .sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0))
    .map((one) => ({ name: one.series, points: seriesPoints(one, period) }));
  const per = period === 'minute' ? 'minute' : 'hour';
  return {
    usage: lineChart(usage, { from, to, title: `CPU and memory, ${label} (average per ${per})`, unit: '%', max: 100 }),
    disks: lineChart(disks, { from, to, title: `Disks, ${label} (average per ${per})`, unit: '%', max: 100 }),
  };
}

const THRESHOLD_TEXT: Record<ThresholdView['key'], { label: string; unit: string; help: string }> = {
  cpu_percent: { label: 'CPU above', unit: '%', help: 'Warning when the CPU stays above this …' },
  cpu_minutes: { label: '… for at least', unit: 'min', help: '… for this many minutes (0: at once).' },
  memory_percent: { label: 'Memory above', unit: '%', help: 'Warning when memory use is above this.' },
  disk_percent: { label: 'Any disk above', unit: '%', help: 'Warning when a disk is fuller than this.' },
  down_after_intervals: { label: 'Down after', unit: 'intervals', help: 'Down after this many report intervals without a report.' },
};

/** The thresholds form: each field empty for the default (shown as its placeholder), or the agent's override. */
export function thresholdsFormView(
  agentId: number,
  thresholds: ThresholdView[],
  submitted: Record<string, string> | null,
  errors: Record<string, string>,
) {
  return {
    agentId,
    hasErrors: Object.keys(errors).length > 0,
    overrides: thresholds.filter((threshold) => threshold.overridden).length,
    fields: thresholds.map((threshold) => ({
      key: threshold.key,
      ...THRESHOLD_TEXT[threshold.key],
      value: submitted ? (submitted[threshold.key] ?? '') : threshold.overridden ? String(threshold.value) : '',
      default: threshold.default,
      overridden: threshold.overridden,
      error: errors[threshold.key] ?? null,
    })),
  };
}
