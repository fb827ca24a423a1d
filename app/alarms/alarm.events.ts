/** A heartbeat alarm went ok → error or back. */
export interface AlarmStateChanged {
  name: string;
  from: 'ok' | 'error';
  to: 'ok' | 'error';
  /** Increases on every ok → error. */
  incidentNbr: number;
  /** Services of the alarm in error after this change. */
  failedServices: string[];
  /** Alert channel names from the alarm's definition. */
  alerts: string[];
  at: number;
  since: number;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'alarm.state-changed': AlarmStateChanged;
  }
}
