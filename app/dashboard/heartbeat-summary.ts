/** A heartbeat service as the dashboard needs it (a subset of the API's service view). */
export interface ServiceBrief {
  name: string;
  last_beat: number;
  last_state_change: number;
}

/** An alarm as the dashboard needs it (a subset of the API's alarm view). */
export interface AlarmBrief {
  name: string;
  incident_nbr: number;
  failed_services: number;
  last_state_change: number;
}

const SERVICE_STATES = ['error', 'new', 'ok', 'muted', 'maintenance'] as const;

export interface HeartbeatFigures {
  /** Services by state (every state, zeros included). */
  serviceStates: Iterable<{ state: string }>;
  /** Services in error, longest in error first: the first few. */
  servicesInError: readonly ServiceBrief[];
  alarmStates: Iterable<{ state: string }>;
  /** Alarms raised (any order). */
  alarmsInError: readonly AlarmBrief[];
}

/**
 * Heartbeats and alarms in brief: how many are in each state, and the ones in error (longest in error
 * first), at most `shown` of each.
 */
export function heartbeatSummary(figures: HeartbeatFigures, shown = 8) {
  const serviceCounts = Object.fromEntries(SERVICE_STATES.map((state) => [state, 0])) as Record<(typeof SERVICE_STATES)[number], number>;
  let services = 0;
  for (const { state } of figures.serviceStates) {
    services++;
    if (state in serviceCounts) serviceCounts[state as keyof typeof serviceCounts]++;
  }
  let alarms = 0;
  let alarmsOk = 0;
  for (const { state } of figures.alarmStates) {
    alarms++;
    if (state === 'ok') alarmsOk++;
  }
  const failingAlarms = [...figures.alarmsInError].sort((a, b) => a.last_state_change - b.last_state_change || (a.name < b.name ? -1 : 1));
  const time = (ms: number) => (ms > 0 ? ms : null);
  return {
    services: {
      total: services,
      counts: SERVICE_STATES.map((state) => ({ state, count: serviceCounts[state] })),
      inError: figures.servicesInError
        .slice(0, shown)
        .map((service) => ({ name: service.name, since: time(service.last_state_change), lastBeat: time(service.last_beat) })),
      moreInError: Math.max(0, serviceCounts.error - Math.min(shown, figures.servicesInError.length)),
    },
    alarms: {
      total: alarms,
      ok: alarmsOk,
      error: alarms - alarmsOk,
      inError: failingAlarms.slice(0, shown).map((alarm) => ({
        name: alarm.name,
        failed: alarm.failed_services,
        incident: alarm.incident_nbr,
        since: time(alarm.last_state_change),
      })),
      moreInError: Math.max(0, failingAlarms.length - shown),
    },
  };
}
