import type { deliveryView } from './alert.dto.js';

type DeliveryView = ReturnType<typeof deliveryView>;

const time = (iso: string | null) => (iso === null ? null : Date.parse(iso));

/** What the alert was about, in a line: `alarm backups: ok → error (incident #3)`. */
export function eventSummary(event: DeliveryView['event']): string {
  if (event.kind === 'test') return 'Test message';
  if (event.kind === 'digest') return `Digest of ${event.events ?? 0} alerts held during a storm`;
  const change = event.from_state && event.to_state ? `: ${event.from_state} → ${event.to_state}` : '';
  const incident = event.incident_number ? ` (incident #${event.incident_number})` : '';
  return `${event.kind} ${event.name}${change}${incident}`;
}

/** A delivery of the log as a row: its status and every attempt with its error, times as epoch ms. */
export function deliveryRow(delivery: DeliveryView, alerterTitle: string) {
  return {
    id: delivery.id,
    channel: delivery.channel,
    type: alerterTitle,
    status: delivery.status,
    createdAt: time(delivery.created_at)!,
    deliveredAt: time(delivery.delivered_at),
    nextAttemptAt: time(delivery.next_attempt_at),
    lastError: delivery.last_error,
    event: eventSummary(delivery.event),
    message: delivery.event.message,
    attempts: delivery.attempt_log.map((attempt, index) => ({
      number: index + 1,
      at: time(attempt.at)!,
      durationMs: attempt.duration_ms,
      ok: attempt.ok,
      error: attempt.error,
      temporary: attempt.temporary,
    })),
    attemptCount: delivery.attempts,
  };
}

/** A target's settings in a few words for the channels table (secrets arrive masked): `to: ops@example.com`. */
export function targetSummary(settings: Record<string, unknown>): { key: string; value: string }[] {
  return Object.entries(settings)
    .filter(([, value]) => value !== '' && value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0))
    .slice(0, 3)
    .map(([key, value]) => ({
      key,
      value:
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? Object.keys(value).join(', ')
          : Array.isArray(value)
            ? value.join(', ')
            : String(value),
    }));
}
