import { sparkline } from '../web/charts/sparkline.js';
import type { MonitorOverview, MonitorRow } from './monitor-overview.query.js';
import type { incidentView, resultView } from './monitor.views.js';

type IncidentView = ReturnType<typeof incidentView>;
type ResultView = ReturnType<typeof resultView>;

const HOUR = 3_600_000;

/**
 * Rows of a monitors table (dashboard and list): each monitor's state and sources, with its 24 h uptime
 * and last hour's latency read for the rows on the page only (two queries, whatever the page size).
 */
export async function monitorRowsView(rows: readonly MonitorRow[], overview: MonitorOverview, typeTitle: (type: string) => string) {
  const ids = rows.map((row) => row.id);
  const [uptime, trends] =
    ids.length > 0 ? await Promise.all([overview.uptime24h(ids), overview.latencyTrends(ids, HOUR)]) : [new Map(), null];
  return rows.map((row) => {
    const points = trends?.points.get(row.id) ?? [];
    return {
      ...row,
      typeTitle: typeTitle(row.type),
      uptime: uptime.get(row.id) ?? null,
      latest: latestLatency(row),
      spark: sparkline(points, {
        from: trends?.from ?? 0,
        to: trends?.to ?? 1,
        unit: 'ms',
        width: 100,
        subject: `Latency of ${row.name}, last hour`,
      }),
      sources: row.sources.map((source) => ({
        ...source,
        // A paused monitor's sources are not checking: "Paused", not the "Unknown" of an old result.
        status: row.paused ? 'paused' : source.status,
        label: source.location ? `${source.name} (${source.location})` : source.name,
      })),
      multiSource: row.sources.length > 1,
    };
  });
}

export type MonitorRowView = Awaited<ReturnType<typeof monitorRowsView>>[number];

/** The newest latency among the sources that have one. */
function latestLatency(row: MonitorRow): number | null {
  let newest: { at: number; latency: number } | null = null;
  for (const source of row.sources) {
    if (source.latencyMs === null || source.checkedAt === null || source.status === 'unknown') continue;
    if (!newest || source.checkedAt > newest.at) newest = { at: source.checkedAt, latency: source.latencyMs };
  }
  return newest ? newest.latency : null;
}

/** Incidents newest first, at most `limit`, with their times as epoch ms for the time helpers. */
export function incidentsView(incidents: readonly IncidentView[], limit: number) {
  return {
    items: incidents.slice(0, limit).map((incident) => ({
      number: incident.number,
      open: incident.status === 'open',
      startedAt: Date.parse(incident.started_at!),
      endedAt: incident.ended_at ? Date.parse(incident.ended_at) : null,
      durationMs: incident.duration_s * 1000,
      cause: incident.cause,
      resolution: incident.resolution,
    })),
    more: Math.max(0, incidents.length - limit),
    total: incidents.length,
  };
}

/** An ssl check's certificate, as the monitor page shows it. */
export interface CertificateView {
  subject: string;
  issuer: string;
  sans: string[];
  validFrom: number | null;
  validTo: number | null;
  daysLeft: number | null;
  fingerprint: string;
  serial: string;
}

/** Recent results with their details: a certificate for `ssl`, otherwise every detail as a key and a value. */
export function resultsView(results: readonly ResultView[], type: string) {
  return results.map((result) => {
    const details = (result.details ?? {}) as Record<string, unknown>;
    const certificate = type === 'ssl' && typeof details.subject === 'string' ? certificateOf(details) : null;
    const shownKeys = certificate ? ['subject', 'issuer', 'sans', 'valid_from', 'valid_to', 'days_left', 'fingerprint', 'serial'] : [];
    return {
      source: result.source,
      status: result.status,
      latencyMs: result.latency_ms,
      message: result.message,
      checkedAt: result.checked_at ? Date.parse(result.checked_at) : null,
      certificate,
      details: Object.entries(details)
        .filter(([key]) => !shownKeys.includes(key))
        .map(([key, value]) => ({ key, value: detailText(value) })),
    };
  });
}

function certificateOf(details: Record<string, unknown>): CertificateView {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const time = (value: unknown) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : null);
  return {
    subject: text(details.subject),
    issuer: text(details.issuer),
    sans: Array.isArray(details.sans) ? details.sans.map(String) : [],
    validFrom: time(details.valid_from),
    validTo: time(details.valid_to),
    daysLeft: typeof details.days_left === 'number' ? details.days_left : null,
    fingerprint: text(details.fingerprint),
    serial: text(details.serial),
  };
}

/** A detail value as text: lists joined, objects as `key=value` pairs, everything else as it is. */
function detailText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(detailText).join(', ');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${key}=${detailText(item)}`)
      .join(', ');
  return String(value);
}

/** Days with downtime or maintenance, newest first: the uptime bars' figures as a list anyone can read. */
export function notableDays(days: readonly { day: number; upMs: number; warningMs: number; downMs: number; maintenanceMs: number }[]) {
  return days
    .filter((day) => day.downMs > 0 || day.maintenanceMs > 0)
    .map((day) => {
      const counted = day.upMs + day.warningMs + day.downMs;
      return {
        day: day.day,
        uptime: counted > 0 ? Math.floor(((day.upMs + day.warningMs) / counted) * 10_000) / 100 : null,
        downMs: day.downMs,
        maintenanceMs: day.maintenanceMs,
      };
    })
    .reverse();
}
