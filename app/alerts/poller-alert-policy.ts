import { formatTime } from '../plugin-host/alert-text.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import type { PollerStateChanged } from '../pollers/poller.events.js';

/** A poller's offline / back-online change as the alert people get (`poller <name> offline`). */
export function pollerAlertEvent(change: PollerStateChanged, url: string | null): AlertEvent {
  const name = `poller ${change.name}`;
  const offline = change.to === 'offline';
  const lastSeen = change.lastSeenAt === null ? 'it registered' : formatTime(change.lastSeenAt);
  return {
    kind: 'poller',
    id: String(change.pollerId),
    name,
    fromState: change.from,
    toState: change.to,
    recovered: !offline,
    incidentNumber: null,
    message: offline
      ? `${name} offline: not heard from since ${lastSeen} (more than 90 s); the monitors it checks show its source as unknown`
      : `${name} back online${change.since === null ? '' : ` after ${Math.max(1, Math.round((change.at - change.since) / 60_000))} min`}`,
    url,
    at: change.at,
    since: change.since,
  };
}
