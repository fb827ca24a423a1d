import type { AlarmSnapshot } from './alarm-book.js';
import type { AlarmState } from './alarm-book.js';
import type { AlarmDefinition } from './alarm-pattern.js';

/** An alarm as the API and the console show it: Lovebeat's JSON, then Pulse's `definition` and `alerts`. */
export interface AlarmView {
  name: string;
  state: AlarmState;
  incident_nbr: number;
  /** How many of its services are in error. */
  failed_services: number;
  last_state_change: number;
  /** The name of the definition that made it (`server-$name`). */
  definition: string;
  alerts: string[];
}

export function alarmView(alarm: AlarmSnapshot): AlarmView {
  return {
    name: alarm.name,
    state: alarm.state,
    incident_nbr: alarm.incidentNbr,
    failed_services: alarm.failed.size,
    last_state_change: alarm.lastStateChange,
    definition: alarm.definition.name,
    alerts: [...alarm.definition.alerts],
  };
}

/** An alarm definition as the API shows it (`[[alarms]]` or POST /api/alarms). */
export type AlarmDefinitionView = Readonly<AlarmDefinition>;
