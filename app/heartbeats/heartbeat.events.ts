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
  /** The alarms the service is in (alarms listen to state changes through ServiceGroups, not this event). */
  alarms: string[];
}

/** One batched save of heartbeat state (for `[metrics]`: Lovebeat reported its database save time). */
export interface HeartbeatsSaved {
  rows: number;
  durationMs: number;
}

/** Another server decided a service's state (several servers): this server's copy followed. For pages, not alerts. */
export interface ServiceMirrored {
  name: string;
  state: ServiceState;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'service.state-changed': ServiceStateChanged;
    'service.mirrored': ServiceMirrored;
    'heartbeat.saved': HeartbeatsSaved;
  }
}
