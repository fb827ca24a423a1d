/** A heartbeat service as the dashboard needs it (a subset of the API's service view). */
export interface ServiceBrief {
  name: string;
  state: string;
  last_beat: number;
  last_state_change: number;
}

/** An alarm as the dashboard needs it (a subset of the API's alarm view). */
export interface AlarmBrief {
  name: string;
  state: string;
  incident_nbr: number;
  failed_services: number;
  last_state_change: number;
}

const SERVICE_STATES = ['error', 'new', 'ok', 'muted', 'maintenance'] as const;

/**
 * Heartbeats and alarms in brief: how many are in each state, and the ones in error (longest in error
 * first), at most `shown` of each.
 */
export function heartbeatSummary(services: readonly ServiceBrief[], alarms: readonly AlarmBrief[], shown = 8) {
  const serviceCounts = Object.fromEntries(SERVICE_STATES.map((state) => [state, 0])) as Record<(typeof SERVICE_STATES)[number], number>;
  const failing: ServiceBrief[] = [];
  for (const service of services) {
    if (service.state in serviceCounts) serviceCounts[service.state as keyof typeof serviceCounts]++;
    if (service.state === 'error') failing.push(service);
  }
  failing.sort((a, b) => a.last_state_change - b.last_state_change || (a.name < b.name ? -1 : 1));
  const failingAlarms = alarms.filter((alarm) => alarm.state === 'error').sort((a, b) => a.last_state_change - b.last_state_change);
  const time = (ms: number) => (ms > 0 ? ms : null);
  return {
    services: {
      total: services.length,
      counts: SERVICE_STATES.map((state) => ({ state, count: serviceCounts[state] })),
      inError: failing
        .slice(0, shown)
        .map((service) => ({ name: service.name, since: time(service.last_state_change), lastBeat: time(service.last_beat) })),
      moreInError: Math.max(0, failing.length - shown),
    },
    alarms: {
      total: alarms.length,
      ok: alarms.filter((alarm) => alarm.state === 'ok').length,
      error: failingAlarms.length,
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
