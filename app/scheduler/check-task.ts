import type { CheckResult } from '../plugin-host/contracts.js';
import type { RetryRule, ScheduledJob } from './job-scheduler.js';

/**
 * One check to run, as plain JSON: what the server's monitors become for its own (public) source, and
 * what `GET /api/poller/tasks` serves a poller, one per assigned monitor:
 *
 *   {"id": 42, "type": "http", "target": "https://shop.example.com/", "options": {"keyword": "Welcome"},
 *    "interval": 60, "timeout": 10, "retries": 1}
 *
 * Nothing else is needed to run it: no database row, no server module.
 */
export interface CheckTask {
  /** The monitor id; results are reported under it. */
  id: number;
  /** The check plugin's id: `http`, `ping`, `ssl`, `port`, or any installed check plugin. */
  type: string;
  target: string;
  /** The plugin's options, validated against its config class when the task is added or changed. */
  options: Record<string, unknown>;
  /** Seconds between checks. */
  interval: number;
  /** Seconds one attempt may take. */
  timeout: number;
  /** Re-checks of a failing target (20 s apart) before it counts as down. */
  retries: number;
}

/** What the runner hands its consumer once per round (after retries). */
export interface CheckOutcome {
  task: CheckTask;
  result: CheckResult;
  /** When this round's first attempt was due and started, and when the reported answer arrived (epoch ms). */
  dueAt: number;
  startedAt: number;
  finishedAt: number;
  /** 1 without retries. */
  attempts: number;
}

/** SPEC §3: a failing source is re-checked after 20 s before it counts as down. */
export const CHECK_RETRY_DELAY_MS = 20_000;

/**
 * The checks' retry rule: a `down` result is re-checked after `delayMs` (never more than the interval),
 * up to `retries` times, unless the target was already down last round (then it is just down).
 */
export function checkRetryRule<J extends ScheduledJob>(delayMs = CHECK_RETRY_DELAY_MS): RetryRule<J, CheckResult> {
  return (job, result, attempt, previous) =>
    result.status === 'down' && previous?.status !== 'down' && attempt <= job.retries ? Math.min(delayMs, job.intervalMs) : null;
}

/** The result of a check that threw or never answered (the scheduler's `failed`). */
export function failedCheck(job: ScheduledJob, problem: 'timeout' | Error): CheckResult {
  return problem === 'timeout'
    ? { status: 'down', latencyMs: null, message: `no answer within ${job.timeoutMs} ms` }
    : { status: 'down', latencyMs: null, message: `check failed: ${problem.message}` };
}

/** A task as JSON (a poller's `/api/poller/tasks` answer) that does not have the CheckTask shape. */
export class CheckTaskError extends Error {
  override name = 'CheckTaskError';
}

/**
 * Reads one task from parsed JSON, refusing a wrong shape with the field at fault. The options are not
 * looked at here: the runner validates them against the plugin's config class.
 */
export function parseCheckTask(raw: unknown): CheckTask {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CheckTaskError('a check task must be a JSON object');
  const task = raw as Record<string, unknown>;
  const wholeNumber = (field: string, min: number): number => {
    const value = task[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
      throw new CheckTaskError(`check task ${JSON.stringify(task.id)}: "${field}" must be a whole number of at least ${min}`);
    return value;
  };
  const text = (field: string): string => {
    const value = task[field];
    if (typeof value !== 'string') throw new CheckTaskError(`check task ${JSON.stringify(task.id)}: "${field}" must be a string`);
    return value;
  };
  const options = task.options ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new CheckTaskError(`check task ${JSON.stringify(task.id)}: "options" must be a JSON object`);
  return {
    id: wholeNumber('id', 1),
    type: text('type'),
    target: text('target'),
    options: options as Record<string, unknown>,
    interval: wholeNumber('interval', 1),
    timeout: wholeNumber('timeout', 1),
    retries: wholeNumber('retries', 0),
  };
}
