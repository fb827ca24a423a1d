import { DEFAULT_THRESHOLDS, downAfterMs } from './agent-state.js';
import type { AgentBucket } from './agent-bucket.entity.js';
import type { LiveAgent } from './live-agent.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const round = (value: number | undefined | null, digits = 2) =>
  value === undefined || value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** An agent as lists show it: who, its state and why, and its headline figures. */
export function agentView(agent: LiveAgent, maintenance: boolean) {
  const fullest = agent.fullestDisk;
  return {
    id: agent.id,
    name: agent.name,
    hostname: agent.hostname,
    os: agent.os,
    status: agent.state,
    reason: agent.reason,
    since: iso(agent.since),
    maintenance,
    last_seen_at: iso(agent.lastSeenAt),
    /** The agent's clock minus the server's, in ms (positive: the agent is ahead). */
    clock_skew_ms: agent.skewMs === null ? null : Math.round(agent.skewMs),
    interval: agent.intervalS,
    cpu_percent: round(agent.latest?.cpu?.percent),
    memory_percent: round(agent.latest?.memory?.percent),
    disk: fullest ? { mount: fullest.mount, percent: round(fullest.percent) } : null,
    alerts: agent.alerts,
  };
}

/** GET /api/agents/<id>: the list view, the newest report, the thresholds and when it counts as down. */
export function agentDetailView(agent: LiveAgent, maintenance: boolean) {
  return {
    ...agentView(agent, maintenance),
    collected_at: iso(agent.latestCollectedAt),
    latest: agent.latest,
    thresholds: agent.thresholds,
    threshold_defaults: DEFAULT_THRESHOLDS,
    threshold_overrides: agent.overrides,
    outbox: agent.outbox,
    down_after_s: downAfterMs(agent.intervalS, agent.thresholds) / 1000,
    created_at: iso(agent.createdAt),
  };
}

/** Buckets grouped per metric and series, each point with its average and maximum. */
export function historyView(buckets: AgentBucket[]) {
  const series = new Map<
    string,
    { metric: string; series: string; points: { at: string; avg: number; max: number | null; samples: number }[] }
  >();
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
