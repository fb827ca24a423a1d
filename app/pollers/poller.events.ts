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

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'poller.state-changed': PollerStateChanged;
  }
}
