import type { BeatAnalysis } from './auto-timeout.js';
import type { RunRecord, ServiceProblem, ServiceSnapshot, ServiceState } from './service-record.js';

/** A service as the API and the console show it: Lovebeat's JSON (times in epoch ms, -1 for never), then Pulse's additions. */
export interface ServiceView {
  name: string;
  last_beat: number;
  /** ms; -1 none, -2 automatic. */
  timeout: number;
  /** ms; -1 when there is no deadline (none set, or still learning). */
  effective_timeout: number;
  state: ServiceState;
  muted_since: number;
  last_state_change: number;
  in_alarms: string[];
  analysis: BeatAnalysis | null;
  min_interval: number;
  problem: ServiceProblem | null;
  run_started_at: number;
  last_run: RunRecord | null;
}

/** `?details=1`: the recorded beats, their intervals and the last runs. */
export interface ServiceDetailsView extends ServiceView {
  beat_history: number[];
  intervals: number[];
  runs: RunRecord[];
}

export function serviceView(service: ServiceSnapshot): ServiceView {
  const lastRun = service.runs.length > 0 ? service.runs[service.runs.length - 1]! : null;
  return {
    name: service.name,
    last_beat: service.lastBeat,
    timeout: service.timeoutMs,
    effective_timeout: service.effectiveTimeout(),
    state: service.state,
    muted_since: service.mutedSince ?? -1,
    last_state_change: service.lastStateChange,
    in_alarms: [...service.alarms],
    analysis: service.analysis(),
    min_interval: service.minIntervalMs,
    problem: service.problem,
    run_started_at: service.runStartedAt ?? -1,
    last_run: lastRun ? { ...lastRun } : null,
  };
}

export function serviceDetailsView(service: ServiceSnapshot): ServiceDetailsView {
  return { ...serviceView(service), beat_history: [...service.beats], intervals: service.intervals(), runs: [...service.runs] };
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
