import type { PluginContext, PluginLogger } from '../plugin-host/contracts.js';
import { createPluginContext } from '../plugin-host/plugin-context.js';
import { DueTimer } from './due-timer.js';
import { firstRunOffset, phaseOf, slotAtOrAfter } from './slots.js';
import { realTimers, type SchedulerTimers } from './timers.js';

/** What to run and how often. The scheduler knows nothing else about it (no database, no HTTP). */
export interface ScheduledJob {
  /** Stable identity, e.g. the monitor id. */
  key: string;
  intervalMs: number;
  timeoutMs: number;
  /** Extra attempts the retry rule may spend before a failing round is reported (0 = none). */
  retries: number;
  /** Handed to each run as `context.logger` (a plugin's own logger); the scheduler's logger when absent. */
  logger?: PluginLogger;
}

export interface JobOutcome<J extends ScheduledJob, R> {
  job: J;
  result: R;
  /** When the first attempt of this round was due and when it started (epoch ms). */
  dueAt: number;
  startedAt: number;
  /** When the answer that is reported arrived. */
  finishedAt: number;
  /** 1 without retries. */
  attempts: number;
}

/**
 * Decides after each attempt whether the round is over: a delay (ms) runs the job again after it, null
 * reports this result. `previous` is the result reported last round (null before the first). Called once
 * per attempt, on the hot path: keep it a few comparisons.
 */
export type RetryRule<J extends ScheduledJob, R> = (job: J, result: R, attempt: number, previous: R | null) => number | null;

/** Every attempt is reported as it is (collectors: the next interval is the retry). */
export const noRetry: RetryRule<ScheduledJob, unknown> = () => null;

export interface JobSchedulerOptions<J extends ScheduledJob, R> {
  /** Runs one attempt; give up when `context.signal` aborts. */
  run(job: J, context: PluginContext): Promise<R>;
  /** The result of an attempt that threw, or that ignored its abort and did not settle within the timeout plus a grace period. */
  failed(job: J, problem: 'timeout' | Error): R;
  /** Called once per round with the confirmed result (after retries). */
  onResult(outcome: JobOutcome<J, R>): void;
  /** Called as each attempt starts; for metrics and benchmarks. */
  onStart?(job: J, dueAt: number, startedAt: number): void;
  /** When to run a job again before reporting (default: never). */
  retry?: RetryRule<J, R>;
  maxConcurrent: number;
  /** For the scheduler's own messages, and runs whose job names no logger. */
  logger: PluginLogger;
  /** What a job is called in those messages: "check", "collector". */
  noun?: string;
  /** A new or edited job first runs within this window (default 5 s). */
  firstRunWindowMs?: number;
  timers?: SchedulerTimers;
}

export interface UpsertOptions<R> {
  /** New, edited or resumed: run within the first-run window (default true). */
  runSoon?: boolean;
  /** When it last ran before a restart (epoch ms), or null if never; used when `runSoon` is false. */
  lastRunAt?: number | null;
  /** The result reported last before a restart: seeds the retry rule. */
  previous?: R | null;
}

interface Entry<J extends ScheduledJob, R> {
  job: J;
  /** Bumped on every upsert; an attempt started under an older generation is discarded. */
  generation: number;
  /** Last reported result, for the retry rule (a job already down is not retried again). */
  previous: R | null;
  attempt: number;
  roundDueAt: number | null;
  roundStartedAt: number | null;
  running: { generation: number; controller: AbortController; done: Promise<void> } | null;
}

/** A plugin that ignores its abort signal still frees its slot this long after the timeout. */
const ABORT_GRACE_MS = 2000;

/**
 * Runs jobs on their intervals: one DueTimer (no timer per job, no scan per tick), slots spread by a hash
 * of the key, a concurrency limit with a FIFO of due jobs waiting for a slot, AbortSignal timeouts, and
 * the caller's retry rule (checks: a failing job is re-checked after 20 s before it counts as down). A key
 * is never run twice at once; an edit aborts the running attempt, discards it and runs the new version
 * within 5 s. Generic over what it runs: checks (`R` = CheckResult) and collectors (`R` = samples).
 */
export class JobScheduler<J extends ScheduledJob, R> {
  private readonly entries = new Map<string, Entry<J, R>>();
  private readonly due: DueTimer<string>;
  private readonly ready: { key: string; generation: number; dueAt: number }[] = [];
  private readonly timers: SchedulerTimers;
  private readonly retry: RetryRule<J, R>;
  private readonly noun: string;
  private runningCount = 0;
  private stopped = false;

  constructor(private readonly options: JobSchedulerOptions<J, R>) {
    this.timers = options.timers ?? realTimers;
    this.retry = options.retry ?? noRetry;
    this.noun = options.noun ?? 'job';
    this.due = new DueTimer<string>(() => this.pump(), this.timers);
  }

  get size(): number {
    return this.entries.size;
  }
  get running(): number {
    return this.runningCount;
  }
  /** Jobs due but waiting for a free slot. */
  get waiting(): number {
    return this.ready.length;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** When the key runs next (epoch ms), or undefined while it runs or waits for a slot. */
  nextRunAt(key: string): number | undefined {
    return this.due.dueAt(key);
  }

  /**
   * Adds or replaces a job. `runSoon` (new, edited, resumed) runs it within the first-run window;
   * otherwise (loading at start) it runs at its next slot after `lastRunAt` + interval, or soon if it
   * never ran. `previous` seeds the retry rule after a restart.
   */
  upsert(job: J, options: UpsertOptions<R> = {}): void {
    if (this.stopped) return;
    const now = this.timers.now();
    const existing = this.entries.get(job.key);
    const entry: Entry<J, R> = existing ?? {
      job,
      generation: 0,
      previous: options.previous ?? null,
      attempt: 0,
      roundDueAt: null,
      roundStartedAt: null,
      running: null,
    };
    entry.job = job;
    entry.generation++;
    entry.attempt = 0;
    entry.roundDueAt = entry.roundStartedAt = null;
    if (options.previous !== undefined) entry.previous = options.previous;
    entry.running?.controller.abort(new Error('superseded by an edit'));
    this.entries.set(job.key, entry);

    const runSoon = options.runSoon ?? true;
    const neverRan = options.lastRunAt === null || options.lastRunAt === undefined;
    const windowMs = Math.min(this.options.firstRunWindowMs ?? 5000, job.intervalMs);
    let dueAt: number;
    if (runSoon || neverRan) dueAt = now + firstRunOffset(job.key, entry.generation, windowMs);
    else {
      dueAt = slotAtOrAfter(job.key, job.intervalMs, options.lastRunAt! + job.intervalMs / 2);
      // Overdue after a long stop: spread the catch-up over at most a minute instead of firing all at once.
      if (dueAt < now) dueAt = now + phaseOf(job.key, Math.min(job.intervalMs, 60_000));
    }
    this.due.schedule(job.key, dueAt);
  }

  /** Stops running a job (deleted or paused); a running attempt is aborted and its result dropped. */
  remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.running?.controller.abort(new Error('removed'));
    this.entries.delete(key);
    this.due.remove(key);
  }

  /** Aborts everything running and waits for it; nothing runs afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.due.stop();
    const running = [...this.entries.values()].flatMap((entry) => (entry.running ? [entry.running] : []));
    for (const run of running) run.controller.abort(new Error('shutting down'));
    await Promise.all(running.map((run) => run.done));
    this.ready.length = 0;
  }

  /** Moves due jobs to the FIFO and starts as many as the limit allows. */
  private pump(): void {
    if (this.stopped) return;
    const now = this.timers.now();
    for (const { key, dueAt } of this.due.takeDue(now)) this.ready.push({ key, generation: this.entries.get(key)!.generation, dueAt });
    let started = 0;
    while (this.runningCount < this.options.maxConcurrent && started < this.ready.length) {
      const next = this.ready[started++]!;
      const entry = this.entries.get(next.key);
      if (!entry || entry.generation !== next.generation) continue; // removed or edited since
      if (entry.running) {
        // The attempt an edit aborted has not settled yet: try again in a moment rather than run twice.
        this.due.schedule(next.key, now + 50);
        continue;
      }
      this.start(entry, next.dueAt, now);
    }
    this.ready.splice(0, started);
  }

  private start(entry: Entry<J, R>, dueAt: number, now: number): void {
    const { job, generation } = entry;
    entry.attempt++;
    if (entry.attempt === 1) {
      entry.roundDueAt = dueAt;
      entry.roundStartedAt = now;
    }
    const controller = new AbortController();
    this.runningCount++;
    this.options.onStart?.(job, dueAt, now);
    const done = this.attempt(job, controller.signal).then((result) => {
      this.runningCount--;
      entry.running = null;
      if (!this.stopped && this.entries.get(job.key) === entry && entry.generation === generation) this.finish(entry, result);
      this.pump();
    });
    entry.running = { generation, controller, done };
  }

  private async attempt(job: J, parent: AbortSignal): Promise<R> {
    const context = createPluginContext({ timeoutMs: job.timeoutMs, logger: job.logger ?? this.options.logger, parent });
    let deadline: unknown = null;
    const hardStop = new Promise<R>((resolve) => {
      deadline = this.timers.setTimeout(() => resolve(this.options.failed(job, 'timeout')), job.timeoutMs + ABORT_GRACE_MS);
    });
    try {
      return await Promise.race([this.options.run(job, context), hardStop]);
    } catch (error) {
      this.options.logger.warn(`${this.noun} ${job.key} threw: ${(error as Error).stack ?? error}`);
      return this.options.failed(job, error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.timers.clearTimeout(deadline);
    }
  }

  private finish(entry: Entry<J, R>, result: R): void {
    const { job } = entry;
    const now = this.timers.now();
    const retryInMs = this.retry(job, result, entry.attempt, entry.previous);
    if (retryInMs !== null) {
      this.options.logger.debug(`${this.noun} ${job.key}: attempt ${entry.attempt} failed; trying again before it counts`);
      this.due.schedule(job.key, now + retryInMs);
      return;
    }
    const outcome: JobOutcome<J, R> = {
      job,
      result,
      dueAt: entry.roundDueAt!,
      startedAt: entry.roundStartedAt!,
      finishedAt: now,
      attempts: entry.attempt,
    };
    entry.previous = result;
    entry.attempt = 0;
    // The next round starts at the job's next slot, at least half an interval after this round started.
    this.due.schedule(job.key, Math.max(now, slotAtOrAfter(job.key, job.intervalMs, entry.roundStartedAt! + job.intervalMs / 2)));
    try {
      this.options.onResult(outcome);
    } catch (error) {
      this.options.logger.warn(`handling the result of ${this.noun} ${job.key} failed: ${(error as Error).stack ?? error}`);
    }
  }
}
