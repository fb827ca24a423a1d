import { pollerSource } from '../monitors/source-directory.js';
import type { LivePoller } from './poller-registry.service.js';
import { isActive, type PollerState } from './poller-liveness.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** A poller as the API (and the console) shows it in lists. */
export interface PollerView {
  id: number;
  name: string;
  location: string;
  /** The executable's version, as it last registered. */
  version: string;
  /** The judged state: offline after 90 s without a word (its sources are then unknown). */
  state: PollerState;
  /** Heard from within the last 90 s: offered in a monitor's Sources field. */
  active: boolean;
  last_seen_at: string | null;
  state_changed_at: string | null;
  alerts: string[];
  /** How many monitors it checks. */
  monitors: number;
  /** Its outbox as it last reported with a batch: results waiting to be sent, and dropped (oldest first) since it was made. */
  outbox: { queued: number; dropped: number; reported_at: string | null };
  token_id: number;
  registered_at: string | null;
}

export interface PollerDetailView extends PollerView {
  monitor_ids: number[];
}

export function pollerView(live: LivePoller, monitors: number, now: number): PollerView {
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
export function pollerDetailView(live: LivePoller, monitorIds: number[], now: number): PollerDetailView {
  return { ...pollerView(live, monitorIds.length, now), monitor_ids: monitorIds };
}

/** A poller a monitor's Sources field offers. */
export interface SourceChoice {
  id: number;
  /** The source key monitors use for it: `poller:<id>`. */
  source: string;
  name: string;
  location: string;
}

/** SPEC §4: only active pollers (heard from within the last 90 s) are offered as sources; by name. */
export function activeSourceChoices(pollers: readonly LivePoller[], now: number): SourceChoice[] {
  return pollers
    .filter((live) => isActive(live.lastSeenAt, now))
    .map(({ poller }) => ({ id: poller.id, source: pollerSource(poller.id), name: poller.name, location: poller.location }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}
