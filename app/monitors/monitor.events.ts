import type { SourceStatus } from './aggregate-status.js';
import type { MonitorState } from './monitor.entity.js';

/** One source of a monitor as it stood at the change. */
export interface MonitorSourceStatus {
  /** `public` or `poller:<id>`. */
  source: string;
  name: string;
  location: string | null;
  status: SourceStatus;
  latencyMs: number | null;
  message: string;
  /** Epoch ms of its latest result, null if it has none. */
  checkedAt: number | null;
}

/** A monitor changed state: what the alerts feature needs to tell people, and nothing it must look up. */
export interface MonitorStateChanged {
  monitorId: number;
  name: string;
  type: string;
  target: string;
  from: MonitorState;
  to: MonitorState;
  /** The latest incident's number (the one this change opened or closed, if any); 0 before the first. */
  incidentNumber: number;
  /** Why, in words: the result message behind the change (`HTTP 503`, `Public: connection refused`). */
  message: string;
  /** When the change happened, and since when the previous state held (epoch ms). */
  at: number;
  since: number | null;
  sources: MonitorSourceStatus[];
  /** Alert channel names attached to the monitor. */
  alerts: string[];
}

/** A monitor's aggregate was worked out again after a result (flap detection counts these). */
export interface MonitorEvaluated {
  monitorId: number;
  state: MonitorState;
  at: number;
}

/** Another server decided a monitor's state (several servers): this server's copy followed. For pages, not alerts. */
export interface MonitorMirrored {
  monitorId: number;
  state: MonitorState;
}

/** A monitor was created, edited, deleted, paused or resumed (its settings, not its state: that is `monitor.state-changed`). */
export interface MonitorChanged {
  monitorId: number;
  change: 'created' | 'updated' | 'deleted' | 'paused' | 'resumed';
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'monitor.state-changed': MonitorStateChanged;
    'monitor.mirrored': MonitorMirrored;
    'monitor.evaluated': MonitorEvaluated;
    'monitor.changed': MonitorChanged;
  }
}
