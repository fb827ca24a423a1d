import type { CheckResult } from '../plugin-host/contracts.js';

/** One result a poller reports, read and checked: what the monitor runtime records. */
export interface ReportedResult {
  monitorId: number;
  result: CheckResult;
  checkedAt: number;
}

export const MAX_MESSAGE_LENGTH = 2000;
export const MAX_DETAILS_BYTES = 16 * 1024;
/** A poller clock this far ahead is wrong; its results would be judged fresh for too long. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

const STATUSES = new Set(['up', 'down', 'warning']);

/**
 * Reads one item of `POST /api/poller/results` (`{"monitor_id","status","latency_ms","message",
 * "checked_at","details"}`). Returns the result, or the reason it is refused in words, naming the field.
 * `checked_at` is ISO 8601 or epoch ms; it may not be ahead of the server's clock by more than 5 min nor
 * older than `oldest` (the results retention).
 */
export function parseReportedResult(raw: unknown, now: number, oldest: number): ReportedResult | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'must be a JSON object';
  const item = raw as Record<string, unknown>;
  const monitorId = item.monitor_id;
  if (typeof monitorId !== 'number' || !Number.isSafeInteger(monitorId) || monitorId < 1) return 'monitor_id: must be a monitor id';
  const status = item.status;
  if (typeof status !== 'string' || !STATUSES.has(status)) return 'status: must be "up", "down" or "warning"';
  const latency = item.latency_ms ?? null;
  if (latency !== null && (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0 || latency > 86_400_000))
    return 'latency_ms: must be a number of milliseconds or null';
  const message = item.message ?? '';
  if (typeof message !== 'string') return 'message: must be a string';
  const checkedAt = parseTime(item.checked_at);
  if (checkedAt === null) return 'checked_at: must be an ISO 8601 time or epoch milliseconds';
  if (checkedAt > now + MAX_CLOCK_AHEAD_MS)
    return `checked_at: ${new Date(checkedAt).toISOString()} is ahead of the server's clock by more than 5 min; is the poller's clock right?`;
  if (checkedAt < oldest) return `checked_at: ${new Date(checkedAt).toISOString()} is older than the results are kept`;
  const details = item.details ?? null;
  if (details !== null && (typeof details !== 'object' || Array.isArray(details))) return 'details: must be a JSON object or null';
  if (details !== null && JSON.stringify(details).length > MAX_DETAILS_BYTES)
    return `details: must be at most ${MAX_DETAILS_BYTES} characters as JSON`;
  return {
    monitorId,
    checkedAt,
    result: {
      status: status as CheckResult['status'],
      latencyMs: latency as number | null,
      message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message,
      ...(details === null ? {} : { details: details as Record<string, unknown> }),
    },
  };
}

function parseTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
