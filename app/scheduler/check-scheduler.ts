import type { CheckResult, CheckStatus, PluginLogger } from '../plugin-host/contracts.js';
import { createPluginContext } from '../plugin-host/plugin-context.js';
import { DueQueue } from './due-queue.js';
import { firstRunOffset, phaseOf, slotAtOrAfter } from './slots.js';

/** What to run and how often. The scheduler knows nothing else about it (no database, no HTTP). */
export interface ScheduledJob {
  /** Stable identity, e.g. the monitor id. */
  key: string;
  intervalMs: number;
  timeoutMs: number;
  /** Extra attempts before a failing job counts as down. */
  retries: number;
}

export interface CheckOutcome<J extends ScheduledJob> {
  job: J;
  result: CheckResult;
  /** When the first attempt of this round was due and when it started (epoch ms). */
  dueAt: number;
  startedAt: number;
  /** When the answer that is reported arrived. */
  finishedAt: number;
  /** 1 without retries. */
  attempts: number;
}

export interface SchedulerTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CheckSchedulerOptions<J extends ScheduledJob> {
  /** Runs one attempt; give up when `signal` aborts. */
  run(job: J, context: { signal: AbortSignal; timeoutMs: number; logger: PluginLogger }): Promise<CheckResult>;
  /** Called once per round with the confirmed result (after retries). */
  onResult(outcome: CheckOutcome<J>): void;
  /** Called as each attempt starts; for metrics and benchmarks. */
  onStart?(job: J, dueAt: number, startedAt: number): void;
  maxConcurrent: number;
  logger: PluginLogger;
  /** Delay before re-checking a failing job (default 20 s, never more than its interval). */
  retryDelayMs?: number;
  /** A new or edited job first runs within this window (default 5 s). */
  firstRunWindowMs?: number;
  timers?: SchedulerTimers;
}

interface Entry<J extends ScheduledJob> {
  job: J;
  /** Bumped on every upsert; an attempt started under an older generation is discarded. */
  generation: number;
  /** Last reported status; a job already down is not retried again. */
  lastStatus: CheckStatus | null;
  attempt: number;
  roundDueAt: number | null;
  roundStartedAt: number | null;
  running: { generation: number; controller: AbortController; done: Promise<void> } | null;
}

const realTimers: SchedulerTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
/** setTimeout's limit; a later due time just wakes the loop once more. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A plugin that ignores its abort signal still frees its slot this long after the timeout. */
const ABORT_GRACE_MS = 2000;

/**
 * Runs jobs on their intervals: one DueQueue (no timer per job, no scan per tick), slots spread by a hash
 * of the key, a concurrency limit with a FIFO of due jobs waiting for a slot, AbortSignal timeouts, and
 * retries (a failing job is re-checked after 20 s before it counts as down). A key is never run twice at
 * once; an edit aborts the running attempt, discards it and runs the new version within 5 s.
 */
export class CheckScheduler<J extends ScheduledJob> {
  private readonly entries = new Map<string, Entry<J>>();
  private readonly due = new DueQueue<string>();
  private readonly ready: { key: string; generation: number; dueAt: number }[] = [];
  private readonly timers: SchedulerTimers;
  private timer: unknown = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private runningCount = 0;
  private stopped = false;

  constructor(private readonly options: CheckSchedulerOptions<J>) {
    this.timers = options.timers ?? realTimers;
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
   * otherwise (loading at start) it runs at its next slot after `lastCheckedAt` + interval, or soon if it
   * never ran. `lastStatus` seeds the retry rule after a restart.
   */
  upsert(job: J, options: { runSoon?: boolean; lastCheckedAt?: number | null; lastStatus?: CheckStatus | null } = {}): void {
    if (this.stopped) return;
    const now = this.timers.now();
    const existing = this.entries.get(job.key);
    const entry: Entry<J> = existing ?? {
      job,
      generation: 0,
      lastStatus: options.lastStatus ?? null,
      attempt: 0,
      roundDueAt: null,
      roundStartedAt: null,
      running: null,
    };
    entry.job = job;
    entry.generation++;
    entry.attempt = 0;
    entry.roundDueAt = entry.roundStartedAt = null;
    if (options.lastStatus !== undefined) entry.lastStatus = options.lastStatus;
    entry.running?.controller.abort(new Error('superseded by an edit'));
    this.entries.set(job.key, entry);

    const runSoon = options.runSoon ?? true;
    const neverRan = options.lastCheckedAt === null || options.lastCheckedAt === undefined;
    const windowMs = Math.min(this.options.firstRunWindowMs ?? 5000, job.intervalMs);
    let dueAt: number;
    if (runSoon || neverRan) dueAt = now + firstRunOffset(job.key, entry.generation, windowMs);
    else {
      dueAt = slotAtOrAfter(job.key, job.intervalMs, options.lastCheckedAt! + job.intervalMs / 2);
      // Overdue after a long stop: spread the catch-up over at most a minute instead of firing all at once.
      if (dueAt < now) dueAt = now + phaseOf(job.key, Math.min(job.intervalMs, 60_000));
    }
    this.due.schedule(job.key, dueAt);
    this.arm();
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
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const running = [...this.entries.values()].flatMap((entry) => (entry.running ? [entry.running] : []));
    for (const run of running) run.controller.abort(new Error('shutting down'));
    await Promise.all(running.map((run) => run.done));
    this.due.clear();
    this.ready.length = 0;
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.due.peekTime();
    if (next === undefined || next >= this.timerAt) return;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, next - this.timers.now())),
    );
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
    this.arm();
  }

  private start(entry: Entry<J>, dueAt: number, now: number): void {
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

  private async attempt(job: J, parent: AbortSignal): Promise<CheckResult> {
    const context = createPluginContext({ timeoutMs: job.timeoutMs, logger: this.options.logger, parent });
    let deadline: unknown = null;
    const hardStop = new Promise<CheckResult>((resolve) => {
      deadline = this.timers.setTimeout(
        () => resolve({ status: 'down', latencyMs: null, message: `no answer within ${job.timeoutMs} ms` }),
        job.timeoutMs + ABORT_GRACE_MS,
      );
    });
    try {
      return await Promise.race([this.options.run(job, context), hardStop]);
    } catch (error) {
      this.options.logger.warn(`check ${job.key} threw: ${(error as Error).stack ?? error}`);
      return { status: 'down', latencyMs: null, message: `check failed: ${(error as Error).message}` };
    } finally {
      this.timers.clearTimeout(deadline);
    }
  }

  private finish(entry: Entry<J>, result: CheckResult): void {
    const { job } = entry;
    const now = this.timers.now();
    const retry = result.status === 'down' && entry.lastStatus !== 'down' && entry.attempt <= job.retries;
    if (retry) {
      this.options.logger.debug(`check ${job.key} failed (${result.message}); re-checking before it counts as down`);
      this.due.schedule(job.key, now + Math.min(this.options.retryDelayMs ?? 20_000, job.intervalMs));
      return;
    }
    const outcome: CheckOutcome<J> = {
      job,
      result,
      dueAt: entry.roundDueAt!,
      startedAt: entry.roundStartedAt!,
      finishedAt: now,
      attempts: entry.attempt,
    };
    entry.lastStatus = result.status;
    entry.attempt = 0;
    // The next round starts at the job's next slot, at least half an interval after this round started.
    this.due.schedule(job.key, Math.max(now, slotAtOrAfter(job.key, job.intervalMs, entry.roundStartedAt! + job.intervalMs / 2)));
    try {
      this.options.onResult(outcome);
    } catch (error) {
      this.options.logger.warn(`handling the result of check ${job.key} failed: ${(error as Error).stack ?? error}`);
    }
  }
}
