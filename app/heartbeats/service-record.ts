import {
  analyseIntervals,
  autoTimeoutMs,
  LEARNING_INTERVALS,
  MAX_INTERVALS,
  MIN_RECORDED_INTERVAL_MS,
  type BeatAnalysis,
} from './auto-timeout.js';
import { AUTO_TIMEOUT, NO_TIMEOUT } from './heartbeat-values.js';
import type { HeartbeatServiceEntity } from './heartbeat-service.entity.js';

export type ServiceState = 'new' | 'ok' | 'error' | 'muted' | 'maintenance';
/** Why a service is in error before its deadline: an explicit `.fail`, or beats closer than min_interval. */
export type ServiceProblem = 'failed' | 'too_often';

export interface RunRecord {
  /** null when the job never said `.start`. */
  started_at: number | null;
  ended_at: number;
  duration_ms: number | null;
  result: 'ok' | 'failed';
}

const MAX_RUNS = 20;

/**
 * A heartbeat service as everything outside the engine sees it: read-only. Only the engine changes
 * services (through its commands), so a query or another feature can never put one in a state the
 * engine did not decide.
 */
export interface ServiceSnapshot {
  readonly name: string;
  readonly createdAt: number;
  readonly timeoutMs: number;
  readonly minIntervalMs: number;
  readonly lastBeat: number;
  readonly state: ServiceState;
  readonly problem: ServiceProblem | null;
  readonly mutedSince: number | null;
  readonly lastStateChange: number;
  readonly beats: readonly number[];
  readonly runStartedAt: number | null;
  readonly runs: readonly Readonly<RunRecord>[];
  /** Names of the alarms it belongs to (the alarms feature groups services; the engine keeps the answer). */
  readonly alarms: readonly string[];
  readonly deadlineRestartedAt: number;
  readonly learning: boolean;
  intervals(): number[];
  effectiveTimeout(): number;
  analysis(): BeatAnalysis | null;
  deadline(): number | null;
}

/** One heartbeat service in memory: the state engine's authoritative copy. */
export class ServiceRecord implements ServiceSnapshot {
  timeoutMs = NO_TIMEOUT;
  minIntervalMs = NO_TIMEOUT;
  lastBeat = -1;
  state: ServiceState = 'new';
  problem: ServiceProblem | null = null;
  mutedSince: number | null = null;
  lastStateChange: number;
  /** Recorded beats (at least 1 s apart), oldest first; their gaps are the intervals. */
  beats: number[] = [];
  runStartedAt: number | null = null;
  runs: RunRecord[] = [];
  /** Names of the alarms this service belongs to. */
  alarms: readonly string[] = [];
  /** Set when a maintenance window ends: the deadline counts from then instead of the last beat. */
  deadlineRestartedAt = -1;
  private autoTimeoutCache: number | null = null;

  constructor(
    readonly name: string,
    readonly createdAt: number,
  ) {
    this.lastStateChange = createdAt;
  }

  intervals(): number[] {
    const intervals: number[] = [];
    for (let index = 1; index < this.beats.length; index++) intervals.push(this.beats[index]! - this.beats[index - 1]!);
    return intervals;
  }

  /**
   * A beat at `at`: returns the interval to the nearest beat before it (or -1 for the first). With several
   * servers a beat taken by another one may arrive after a later one: it is put in its place in the history
   * (which keeps beats at least 1 s apart) and never moves the last beat back.
   */
  recordBeat(at: number): number {
    const sincePrevious = this.lastBeat < 0 ? -1 : Math.abs(at - this.lastBeat);
    this.lastBeat = Math.max(this.lastBeat, at);
    const beats = this.beats;
    let index = beats.length;
    while (index > 0 && beats[index - 1]! > at) index--;
    const before = index > 0 ? beats[index - 1]! : -Infinity;
    const after = index < beats.length ? beats[index]! : Infinity;
    if (at - before >= MIN_RECORDED_INTERVAL_MS && after - at >= MIN_RECORDED_INTERVAL_MS) {
      beats.splice(index, 0, at);
      if (beats.length > MAX_INTERVALS + 1) beats.shift();
      this.autoTimeoutCache = null;
    }
    return sincePrevious;
  }

  /** The fields the deciding server saved (another server's word on this service replaces what this one holds). */
  assign(row: HeartbeatServiceEntity): void {
    const saved = ServiceRecord.fromEntity(row);
    this.timeoutMs = saved.timeoutMs;
    this.minIntervalMs = saved.minIntervalMs;
    this.lastBeat = Math.max(this.lastBeat, saved.lastBeat);
    this.state = saved.state;
    this.problem = saved.problem;
    this.mutedSince = saved.mutedSince;
    this.lastStateChange = saved.lastStateChange;
    this.beats = saved.beats;
    this.runStartedAt = saved.runStartedAt;
    this.runs = saved.runs;
    this.deadlineRestartedAt = saved.deadlineRestartedAt;
    this.autoTimeoutCache = null;
  }

  recordRun(run: RunRecord): void {
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) this.runs.shift();
  }

  get learning(): boolean {
    return this.timeoutMs === AUTO_TIMEOUT && this.beats.length - 1 < LEARNING_INTERVALS;
  }

  /** The timeout that applies now in ms, or -1 when there is no deadline (none set, or still learning). */
  effectiveTimeout(): number {
    if (this.timeoutMs !== AUTO_TIMEOUT) return this.timeoutMs;
    if (this.learning) return NO_TIMEOUT;
    this.autoTimeoutCache ??= autoTimeoutMs(this.intervals());
    return this.autoTimeoutCache;
  }

  analysis(): BeatAnalysis | null {
    return analyseIntervals(this.intervals());
  }

  /** When the service goes to error if no beat comes, or null when nothing is pending. */
  deadline(): number | null {
    const timeout = this.effectiveTimeout();
    if (timeout < 0 || this.lastBeat < 0) return null;
    return Math.max(this.lastBeat, this.deadlineRestartedAt) + timeout + 1;
  }

  /** The state the rules give at `now`. */
  evaluate(now: number, inMaintenance: boolean): ServiceState {
    if (this.mutedSince !== null) return 'muted';
    if (inMaintenance) return 'maintenance';
    if (this.problem !== null) return 'error';
    if (this.lastBeat < 0 || this.learning) return 'new';
    const deadline = this.deadline();
    return deadline !== null && now >= deadline ? 'error' : 'ok';
  }

  toEntity(): HeartbeatServiceEntity {
    return {
      name: this.name,
      timeoutMs: this.timeoutMs,
      minIntervalMs: this.minIntervalMs,
      lastBeat: this.lastBeat,
      state: this.state,
      problem: this.problem,
      mutedSince: this.mutedSince,
      lastStateChange: this.lastStateChange,
      createdAt: this.createdAt,
      beats: JSON.stringify(this.beats),
      runStartedAt: this.runStartedAt,
      runs: JSON.stringify(this.runs),
      deadlineRestartedAt: this.deadlineRestartedAt,
    };
  }

  static fromEntity(row: HeartbeatServiceEntity): ServiceRecord {
    const record = new ServiceRecord(row.name, row.createdAt);
    record.timeoutMs = row.timeoutMs;
    record.minIntervalMs = row.minIntervalMs;
    record.lastBeat = row.lastBeat;
    record.state = row.state as ServiceState;
    record.problem = row.problem as ServiceProblem | null;
    record.mutedSince = row.mutedSince;
    record.lastStateChange = row.lastStateChange;
    record.beats = parseNumbers(row.beats);
    record.runStartedAt = row.runStartedAt;
    record.runs = parseList<RunRecord>(row.runs);
    record.deadlineRestartedAt = row.deadlineRestartedAt ?? -1;
    return record;
  }
}

function parseNumbers(text: string): number[] {
  return parseList<unknown>(text).filter((item): item is number => typeof item === 'number');
}

function parseList<T>(text: string): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}
