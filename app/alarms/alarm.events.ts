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

/** Another server decided an alarm's state (several servers): this server's copy followed. For pages, not alerts. */
export interface AlarmMirrored {
  name: string;
  state: 'ok' | 'error';
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'alarm.state-changed': AlarmStateChanged;
    'alarm.mirrored': AlarmMirrored;
  }
}
