import type { LivePoller } from './poller-registry.service.js';
import { isActive } from './poller-liveness.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** A poller as the API shows it in lists. */
export function pollerView(live: LivePoller, monitors: number, now: number) {
  const { poller } = live;
  return {
    id: poller.id,
    name: poller.name,
    location: poller.location,
    version: poller.version,
    state: poller.offline ? 'offline' : 'online',
    active: isActive(live.lastSeenAt, now),
    last_seen_at: iso(live.lastSeenAt),
    state_changed_at: iso(poller.stateChangedAt),
    alerts: poller.alerts,
    monitors,
    outbox: { queued: poller.outboxQueued, dropped: poller.outboxDropped, reported_at: iso(poller.outboxReportedAt) },
    token_id: poller.tokenId,
    registered_at: iso(poller.createdAt),
  };
}

/** GET /api/pollers/<id>: the list view plus the monitors it checks. */
export function pollerDetailView(live: LivePoller, monitorIds: number[], now: number) {
  return { ...pollerView(live, monitorIds.length, now), monitor_ids: monitorIds };
}
