import type { IncidentResolution } from './monitor-incident.entity.js';
import type { MonitorState } from './monitor.entity.js';

export interface StateSnapshot {
  status: MonitorState;
  /** When the current state began (epoch ms), null before the first change. */
  since: number | null;
  /** Number of the latest incident, 0 before the first. */
  incidentNumber: number;
  incidentOpen: boolean;
}

export interface StateChange {
  from: MonitorState;
  to: MonitorState;
  at: number;
  /** When the previous state began. */
  since: number | null;
  message: string;
  opens: { number: number; cause: string } | null;
  closes: { number: number; resolution: IncidentResolution } | null;
  next: StateSnapshot;
}

/**
 * The monitor state machine. An incident opens when the monitor goes down and stays open (through any
 * warning) until it is up again, or until it is paused; `pending` (no fresh result) leaves it open.
 * Returns null when nothing changes.
 */
export function nextState(current: StateSnapshot, to: MonitorState, at: number, message: string): StateChange | null {
  if (to === current.status) return null;
  let { incidentNumber, incidentOpen } = current;
  let opens: StateChange['opens'] = null;
  let closes: StateChange['closes'] = null;
  if (to === 'down' && !incidentOpen) {
    incidentNumber++;
    incidentOpen = true;
    opens = { number: incidentNumber, cause: message };
  } else if (incidentOpen && (to === 'up' || to === 'paused')) {
    incidentOpen = false;
    closes = { number: incidentNumber, resolution: to === 'up' ? 'recovered' : 'paused' };
  }
  return {
    from: current.status,
    to,
    at,
    since: current.since,
    message,
    opens,
    closes,
    next: { status: to, since: at, incidentNumber, incidentOpen },
  };
}
