import type { ServiceState } from './service-record.js';

/** A heartbeat service changed state (SPEC §6); the alerts issue and the event log listen. */
export interface ServiceStateChanged {
  name: string;
  from: ServiceState;
  to: ServiceState;
  /** Epoch ms of this change, and of the previous one (how long `from` lasted). */
  at: number;
  since: number;
  /** What caused it: a beat, the deadline passing, an explicit `.fail`, beats too often, mute/unmute, a restart finding it expired. */
  reason: 'beat' | 'timeout' | 'failed' | 'too_often' | 'muted' | 'unmuted' | 'config' | 'maintenance' | 'restart';
  lastBeat: number;
  /** ms; -1 none, -2 automatic. */
  timeoutMs: number;
  effectiveTimeoutMs: number;
  alarms: string[];
}

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

/** One batched save of heartbeat state (for `[metrics]`: Lovebeat reported its database save time). */
export interface HeartbeatsSaved {
  rows: number;
  durationMs: number;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'service.state-changed': ServiceStateChanged;
    'alarm.state-changed': AlarmStateChanged;
    'heartbeat.saved': HeartbeatsSaved;
  }
}
