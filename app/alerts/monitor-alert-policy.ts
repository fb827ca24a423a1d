import type { MonitorStateChanged } from '../monitors/monitor.events.js';
import type { AlertEvent } from '../plugin-host/contracts.js';

/** States a person did not cause to be alerted about: waiting for a first result, paused, maintenance. */
const QUIET_STATES = new Set(['pending', 'paused', 'maintenance']);

/**
 * Whether a monitor's state change is news: going down or warning is; coming back up is a recovery only
 * when it was down or warning before (not after a pause, a first result, or a maintenance window).
 */
export function isAlertable(from: string, to: string): boolean {
  if (QUIET_STATES.has(to)) return false;
  if (to === 'up' && QUIET_STATES.has(from)) return false;
  return from !== to;
}

export function monitorAlertEvent(change: MonitorStateChanged, url: string | null): AlertEvent {
  return {
    kind: 'monitor',
    id: String(change.monitorId),
    name: change.name,
    fromState: change.from,
    toState: change.to,
    recovered: change.to === 'up',
    incidentNumber: change.incidentNumber > 0 ? change.incidentNumber : null,
    message: change.message,
    url,
    at: change.at,
    since: change.since,
    sources: change.sources.map((source) => ({ source: source.source, name: source.name, status: source.status, message: source.message })),
  };
}
