import type { PollerState } from './poller-liveness.js';

/** A poller went offline (silent for more than 90 s) or came back. */
export interface PollerStateChanged {
  pollerId: number;
  name: string;
  location: string;
  from: PollerState;
  to: PollerState;
  at: number;
  /** When the previous state began (epoch ms), if known. */
  since: number | null;
  lastSeenAt: number | null;
  /** Alert channel names of the poller ([] = the default channels). */
  alerts: string[];
}

/**
 * What the console shows of a poller changed: registered, edited, deleted, judged, or its last-seen time
 * and outbox figures written (at most every 30 s while it talks, at once when its outbox figures change).
 */
export interface PollerChanged {
  pollerId: number;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'poller.state-changed': PollerStateChanged;
    'poller.changed': PollerChanged;
  }
}
