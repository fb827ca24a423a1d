import type { MetricsReport } from '../agent/metrics-report.js';
import type { AgentBucket } from './agent-bucket.entity.js';
import { DEFAULT_THRESHOLDS, downAfterMs, THRESHOLD_KEYS, type AgentThresholds } from './agent-state.js';
import type { AgentState } from './agent.entity.js';
import type { LiveAgent } from './live-agent.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const round = (value: number | undefined | null, digits = 2) =>
  value === undefined || value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** An agent as lists show it: who, its state and why, when it was last heard from, and its headline figures. */
export interface AgentView {
  id: number;
  name: string;
  hostname: string;
  os: string;
  /** The agent's version, from its newest report; null for an agent that does not say. */
  version: string | null;
  status: AgentState;
  /** Why, in words (`disk /var 93 % > 90 %`); '' when ok. */
  reason: string;
  since: string | null;
  maintenance: boolean;
  /** By the server's clock. */
  last_seen_at: string | null;
  /** The agent's clock minus the server's, in ms (positive: the agent is ahead). */
  clock_skew_ms: number | null;
  interval: number;
  cpu_percent: number | null;
  memory_percent: number | null;
  /** The fullest disk. */
  disk: { mount: string; percent: number | null } | null;
  alerts: string[];
}

/** One disk of the newest report, and whether it is over the agent's disk threshold. */
export interface DiskView {
  mount: string;
  fs: string;
  size: number;
  used: number;
  percent: number | null;
  over_threshold: boolean;
}

/** GET /api/agents/<id>: the list view, the newest report, every disk, the thresholds and when it counts as down. */
export interface AgentDetailView extends AgentView {
  /** The newest report's collected_at, by the agent's clock. */
  collected_at: string | null;
  latest: MetricsReport | null;
  /** The newest report's disks by mount point. */
  disks: DiskView[];
  /** The thresholds in force: the defaults with this agent's overrides on top. */
  thresholds: AgentThresholds;
  threshold_defaults: AgentThresholds;
  /** Only what differs from the defaults. */
  threshold_overrides: Partial<AgentThresholds>;
  /** The agent's outbox as its latest batch told. */
  outbox: { queued: number; dropped: number } | null;
  down_after_s: number;
  created_at: string | null;
}

/** One threshold as a form shows it: the value in force, the default, and whether this agent overrides it. */
export interface ThresholdView {
  key: keyof AgentThresholds;
  value: number;
  default: number;
  overridden: boolean;
}

export interface HistoryPointView {
  at: string;
  avg: number;
  max: number | null;
  samples: number;
}

/** One metric's series (`series`: the mount, the interface, an extra figure's labels; '' for a plain metric). */
export interface HistorySeriesView {
  metric: string;
  series: string;
  points: HistoryPointView[];
}

export function agentView(agent: LiveAgent, maintenance: boolean): AgentView {
  const fullest = agent.fullestDisk;
  return {
    id: agent.id,
    name: agent.name,
    hostname: agent.hostname,
    os: agent.os,
    version: agent.latest?.version ?? null,
    status: agent.state,
    reason: agent.reason,
    since: iso(agent.since),
    maintenance,
    last_seen_at: iso(agent.lastSeenAt),
    clock_skew_ms: agent.skewMs === null ? null : Math.round(agent.skewMs),
    interval: agent.intervalS,
    cpu_percent: round(agent.latest?.cpu?.percent),
    memory_percent: round(agent.latest?.memory?.percent),
    disk: fullest ? { mount: fullest.mount, percent: round(fullest.percent) } : null,
    alerts: agent.alerts,
  };
}

export function agentDetailView(agent: LiveAgent, maintenance: boolean): AgentDetailView {
  return {
    ...agentView(agent, maintenance),
    collected_at: iso(agent.latestCollectedAt),
    latest: agent.latest,
    disks: [...(agent.latest?.disks ?? [])]
      .sort((a, b) => (a.mount < b.mount ? -1 : a.mount > b.mount ? 1 : 0))
      .map((disk) => ({
        mount: disk.mount,
        fs: disk.fs,
        size: disk.size,
        used: disk.used,
        percent: round(disk.percent),
        over_threshold: disk.percent > agent.thresholds.disk_percent,
      })),
    thresholds: agent.thresholds,
    threshold_defaults: DEFAULT_THRESHOLDS,
    threshold_overrides: agent.overrides,
    outbox: agent.outbox,
    down_after_s: downAfterMs(agent.intervalS, agent.thresholds) / 1000,
    created_at: iso(agent.createdAt),
  };
}

/** Every threshold, in a fixed order, with its default and whether the agent overrides it. */
export function thresholdViews(agent: LiveAgent): ThresholdView[] {
  return THRESHOLD_KEYS.map((key) => ({
    key,
    value: agent.thresholds[key],
    default: DEFAULT_THRESHOLDS[key],
    overridden: typeof agent.overrides[key] === 'number',
  }));
}

/** Buckets grouped per metric and series, each point with its average and maximum. */
export function historyView(buckets: AgentBucket[]): HistorySeriesView[] {
  const series = new Map<string, HistorySeriesView>();
  for (const bucket of buckets) {
    const key = `${bucket.metric}|${bucket.series}`;
    const entry = series.get(key) ?? { metric: bucket.metric, series: bucket.series, points: [] };
    entry.points.push({
      at: iso(bucket.bucketStart)!,
      avg: round(bucket.samples > 0 ? bucket.sum / bucket.samples : 0)!,
      max: round(bucket.max),
      samples: bucket.samples,
    });
    series.set(key, entry);
  }
  return [...series.values()];
}
