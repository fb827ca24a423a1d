import type { AlarmRecord } from '../alarms/alarm-book.js';
import type { ServiceRecord } from './service-record.js';

/** Lovebeat's JSON shapes (times in epoch ms, -1 for never), plus Pulse's additions at the end. */
export function serviceView(service: ServiceRecord) {
  const lastRun = service.runs.length > 0 ? service.runs[service.runs.length - 1]! : null;
  return {
    name: service.name,
    last_beat: service.lastBeat,
    timeout: service.timeoutMs,
    effective_timeout: service.effectiveTimeout(),
    state: service.state,
    muted_since: service.mutedSince ?? -1,
    last_state_change: service.lastStateChange,
    in_alarms: service.alarms,
    analysis: service.analysis(),
    min_interval: service.minIntervalMs,
    problem: service.problem,
    run_started_at: service.runStartedAt ?? -1,
    last_run: lastRun,
  };
}

/** `?details=1`: the recorded beats, their intervals and the last runs. */
export function serviceDetailsView(service: ServiceRecord) {
  return { ...serviceView(service), beat_history: service.beats, intervals: service.intervals(), runs: service.runs };
}

export function alarmView(alarm: AlarmRecord) {
  return {
    name: alarm.name,
    state: alarm.state,
    incident_nbr: alarm.incidentNbr,
    failed_services: alarm.failed.size,
    last_state_change: alarm.lastStateChange,
    definition: alarm.definition.name,
    alerts: alarm.definition.alerts,
  };
}

export interface StatusCounts {
  num_ok: number;
  num_error: number;
}

/** Lovebeat's /api/status: muted, new and maintenance services count as ok. */
export function statusView({ num_ok, num_error }: StatusCounts) {
  return { num_ok, num_error, has_error: num_error > 0, good: num_error === 0 };
}

/** The four lines Lovebeat's nagios plugin reads with awk. */
export function statusText(counts: StatusCounts): string {
  const status = statusView(counts);
  return `num_ok ${status.num_ok}\nnum_error ${status.num_error}\nhas_error ${status.has_error}\ngood ${status.good}\n`;
}
