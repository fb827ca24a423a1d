import { maskSecrets } from '../plugin-host/plugin-secrets.js';
import type { CheckResultRow } from './check-result.entity.js';
import type { LiveMonitorView } from './live-monitor.js';
import type { MonitorBucket } from './monitor-bucket.entity.js';
import type { MonitorIncident } from './monitor-incident.entity.js';
import type { Monitor } from './monitor.entity.js';
import { uptimePercent } from './uptime-buckets.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** A monitor as the API shows it in lists: its settings (secrets masked) and its state. */
export function monitorView(monitor: Monitor, live: LiveMonitorView | undefined, maintenance: boolean, secrets?: readonly string[]) {
  const state = live?.state;
  return {
    id: monitor.id,
    name: monitor.name,
    type: monitor.type,
    target: monitor.target,
    interval: monitor.intervalS,
    timeout: monitor.timeoutS,
    retries: monitor.retries,
    quorum: monitor.quorum,
    pollers: monitor.pollers,
    alerts: monitor.alerts,
    options: maskSecrets(secrets, { ...((live?.config as Record<string, unknown> | null) ?? monitor.options) }),
    status: state?.status ?? monitor.status,
    paused: monitor.paused,
    maintenance,
    incident_number: state?.incidentNumber ?? monitor.incidentNumber,
    last_change_at: iso(state?.since ?? monitor.lastChangeAt),
    created_at: iso(monitor.createdAt),
    updated_at: iso(monitor.updatedAt),
  };
}

/** GET /api/monitors/<id>: the list view plus each source and the uptime figures. */
export function monitorDetailView(
  monitor: Monitor,
  live: LiveMonitorView | undefined,
  maintenance: boolean,
  uptime: Record<'24h' | '7d' | '30d', number | null>,
  now: number,
  secrets?: readonly string[],
) {
  return {
    ...monitorView(monitor, live, maintenance, secrets),
    // The live state's words: the row is written a moment after a change.
    message: live?.monitor.statusMessage ?? monitor.statusMessage,
    sources: (live?.sourceStatuses(now) ?? []).map((source) => ({
      source: source.source,
      name: source.name,
      location: source.location,
      status: source.status,
      latency_ms: source.latencyMs,
      message: source.message,
      checked_at: iso(source.checkedAt),
    })),
    uptime,
  };
}

export function resultView(row: CheckResultRow) {
  return {
    source: row.source,
    status: row.status,
    latency_ms: row.latencyMs,
    message: row.message,
    checked_at: iso(row.checkedAt),
    details: row.details === null ? null : (JSON.parse(row.details) as unknown),
  };
}

export function incidentView(incident: MonitorIncident, now: number) {
  const end = incident.endedAt ?? now;
  return {
    number: incident.number,
    status: incident.endedAt === null ? 'open' : 'resolved',
    started_at: iso(incident.startedAt),
    ended_at: iso(incident.endedAt),
    duration_s: Math.round((end - incident.startedAt) / 1000),
    cause: incident.cause,
    resolution: incident.resolution,
  };
}

export function bucketView(bucket: MonitorBucket) {
  return {
    start: iso(bucket.bucketStart),
    uptime: uptimePercent(bucket),
    up_ms: bucket.upMs,
    warning_ms: bucket.warningMs,
    down_ms: bucket.downMs,
    maintenance_ms: bucket.maintenanceMs,
    checks: bucket.checks,
    down_checks: bucket.downChecks,
    latency_avg_ms: bucket.latencyCount === 0 ? null : Math.round((bucket.latencySumMs / bucket.latencyCount) * 100) / 100,
    latency_p95_ms: bucket.latencyP95Ms,
    latency_min_ms: bucket.latencyMinMs,
    latency_max_ms: bucket.latencyMaxMs,
  };
}

/** A monitor in a list (GET /api/monitors): settings (secrets masked) and state. */
export type MonitorView = ReturnType<typeof monitorView>;
/** One monitor (GET /api/monitors/<id>): the list view, its message, each source, uptime. */
export type MonitorDetailView = ReturnType<typeof monitorDetailView>;
export type ResultView = ReturnType<typeof resultView>;
export type IncidentView = ReturnType<typeof incidentView>;
export type BucketView = ReturnType<typeof bucketView>;
