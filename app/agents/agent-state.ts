import type { MetricsReport } from '../agent/metrics-report.js';
import type { AgentState } from './agent.entity.js';

/*
 * How an agent's state is judged (SPEC §5), pure: from its newest report, how long its CPU has been high,
 * when the server last heard from it, its thresholds and whether a maintenance window covers it.
 */

export interface AgentThresholds {
  /** CPU use above this percent … */
  cpu_percent: number;
  /** … for at least this many minutes → warning. */
  cpu_minutes: number;
  /** Memory use above this percent → warning. */
  memory_percent: number;
  /** Any disk above this percent full → warning. */
  disk_percent: number;
  /** No report for this many of its intervals → down. */
  down_after_intervals: number;
}

export const DEFAULT_THRESHOLDS: Readonly<AgentThresholds> = {
  cpu_percent: 90,
  cpu_minutes: 5,
  memory_percent: 90,
  disk_percent: 90,
  down_after_intervals: 3,
};

export const THRESHOLD_KEYS = Object.keys(DEFAULT_THRESHOLDS) as (keyof AgentThresholds)[];

/** The defaults with an agent's overrides on top. */
export function effectiveThresholds(overrides: Partial<Record<string, number>>): AgentThresholds {
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const key of THRESHOLD_KEYS) if (typeof overrides[key] === 'number') thresholds[key] = overrides[key];
  return thresholds;
}

/** Since when (server time) the CPU has been above its threshold in every report, or null. */
export interface CpuWatch {
  highSince: number | null;
  /** Server time of the report last looked at. */
  lastAt: number | null;
}

export const NO_CPU_WATCH: CpuWatch = { highSince: null, lastAt: null };

/**
 * The watch after one more report (in collection order). A gap longer than `maxGapMs` (the agent was
 * silent) starts the count again: high before and after a silence is not "high for 5 minutes".
 */
export function watchCpu(watch: CpuWatch, percent: number | undefined, at: number, thresholdPercent: number, maxGapMs: number): CpuWatch {
  if (watch.lastAt !== null && at <= watch.lastAt) return watch; // an older report arriving late says nothing about now
  if (percent === undefined || percent <= thresholdPercent) return { highSince: null, lastAt: at };
  const continues = watch.highSince !== null && watch.lastAt !== null && at - watch.lastAt <= maxGapMs;
  return { highSince: continues ? watch.highSince : at, lastAt: at };
}

export interface AgentFacts {
  /** The newest report, and when it was collected by the server's clock. */
  report: Pick<MetricsReport, 'cpu' | 'memory' | 'disks'> | null;
  reportAt: number | null;
  cpu: CpuWatch;
  /** Server time of the last report received. */
  lastSeenAt: number;
  intervalS: number;
  thresholds: AgentThresholds;
  inMaintenance: boolean;
}

export interface AgentJudgement {
  state: AgentState;
  /** In words; '' when ok. */
  reason: string;
}

/** Silence first (a down host's old figures mean nothing), then every threshold crossed, each named. */
export function judgeAgent(facts: AgentFacts, now: number): AgentJudgement {
  if (facts.inMaintenance) return { state: 'maintenance', reason: 'in a maintenance window' };
  const silentMs = now - facts.lastSeenAt;
  if (silentMs >= downAfterMs(facts.intervalS, facts.thresholds))
    return {
      state: 'down',
      reason: `no report for ${Math.round(silentMs / 1000)} s (${facts.thresholds.down_after_intervals} intervals of ${facts.intervalS} s)`,
    };
  const problems: string[] = [];
  const { thresholds, report } = facts;
  const cpu = report?.cpu?.percent;
  const cpuHighMs = facts.cpu.highSince !== null && facts.reportAt !== null ? facts.reportAt - facts.cpu.highSince : -1;
  if (cpu !== undefined && cpu > thresholds.cpu_percent && cpuHighMs >= thresholds.cpu_minutes * 60_000)
    problems.push(
      `cpu ${percentText(cpu, thresholds.cpu_percent)} > ${thresholds.cpu_percent} % for ${Math.floor(cpuHighMs / 60_000)} min`,
    );
  const memory = report?.memory?.percent;
  if (memory !== undefined && memory > thresholds.memory_percent)
    problems.push(`memory ${percentText(memory, thresholds.memory_percent)} > ${thresholds.memory_percent} %`);
  for (const disk of [...(report?.disks ?? [])].sort((a, b) => b.percent - a.percent)) {
    if (disk.percent > thresholds.disk_percent)
      problems.push(`disk ${disk.mount} ${percentText(disk.percent, thresholds.disk_percent)} > ${thresholds.disk_percent} %`);
  }
  return problems.length > 0 ? { state: 'warning', reason: problems.join('; ') } : { state: 'ok', reason: '' };
}

/** How long a silence makes the agent down. */
export function downAfterMs(intervalS: number, thresholds: AgentThresholds): number {
  return thresholds.down_after_intervals * intervalS * 1000;
}

/** "93 %"; one decimal when the whole number would not show it is above the threshold ("90.4 %"). */
function percentText(value: number, threshold: number): string {
  const whole = Math.round(value);
  return whole > threshold ? `${whole} %` : `${Math.round(value * 10) / 10} %`;
}
