import type { LoggerService } from '@nestjs/common';
import type { CheckPlugin, CheckResult, PluginLogger } from '../plugin-host/contracts.js';
import { validatePluginConfig, type FieldError } from '../plugin-host/plugin-config.js';
import { contextLogger, pluginLogger } from '../plugin-host/plugin-context.js';
import type { RegisteredCheck } from '../plugin-host/plugin-registry.js';
import { checkRetryRule, failedCheck, type CheckOutcome, type CheckTask } from './check-task.js';
import { JobScheduler, type ScheduledJob } from './job-scheduler.js';
import type { SchedulerTimers } from './timers.js';

/** Where the runner finds check plugins by type: the PluginRegistry, or any lookup built from plugin modules. */
export interface CheckCatalog {
  check(id: string): RegisteredCheck | undefined;
}

/** Whoever uses the outcomes: the server's MonitorRuntime (results → state → events), a poller's outbox. */
export interface CheckConsumer {
  /** Once per round with the confirmed result (after retries). Runs on the scheduler's path: hand off, do not wait. */
  onCheckOutcome(outcome: CheckOutcome): void;
  /** As each attempt starts; for metrics and benchmarks. */
  onCheckStart?(task: CheckTask, dueAt: number, startedAt: number): void;
}

/** Why a task cannot run as given; it is still scheduled and reports `down` with `message` until it is fixed. */
export interface CheckTaskProblem {
  reason: 'unknown-type' | 'invalid-options';
  message: string;
  /** For `invalid-options`: each option at fault. */
  fields?: FieldError[];
}

export interface CheckRunnerOptions {
  plugins: CheckCatalog;
  consumer: CheckConsumer;
  /** Checks running at once; due checks beyond it wait for a free slot. */
  maxConcurrent: number;
  /** Each plugin logs through it as `plugin:<id>`; the runner's own messages as `Checks`. */
  logger: LoggerService;
  /** Delay before re-checking a failing target (default 20 s, never more than its interval). */
  retryDelayMs?: number;
  /** A new or edited task first runs within this window (default 5 s). */
  firstRunWindowMs?: number;
  timers?: SchedulerTimers;
}

/**
 * A task with its plugin looked up and its options validated (defaults filled in): made once per add or
 * change, it is what the scheduler runs. Holders may keep it (the server shows `config` as the monitor's
 * effective options) and upsert it again later (a resumed monitor) without validating again.
 */
export class PreparedCheck implements ScheduledJob {
  readonly key: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;

  constructor(
    readonly task: CheckTask,
    /** The plugin's own logger (`plugin:<id>`), when the plugin is installed. */
    readonly logger: PluginLogger | undefined,
    readonly plugin: CheckPlugin<object> | null,
    /** The validated options, or null when the plugin is missing or they do not validate. */
    readonly config: object | null,
    /** Why it cannot run, or null. */
    readonly problem: CheckTaskProblem | null,
  ) {
    this.key = String(task.id);
    this.intervalMs = task.interval * 1000;
    this.timeoutMs = task.timeout * 1000;
    this.retries = task.retries;
    this.unrunnable = problem ? { status: 'down', latencyMs: null, message: problem.message } : null;
  }

  /** Reported as the result while the plugin is missing or the options do not validate. */
  readonly unrunnable: CheckResult | null;
}

/**
 * Runs check tasks for any role: the server's public source and a poller's assigned monitors. Looks up
 * the plugin and validates the options once per upsert (never per run), gives each plugin its own logger
 * (`plugin:http`), runs through the JobScheduler with the checks' retry rule, and hands each round's
 * outcome to the consumer. No database, no Nest module: plain tasks in, outcomes out.
 */
export class CheckRunner {
  private readonly scheduler: JobScheduler<PreparedCheck, CheckResult>;
  private readonly pluginLoggers = new Map<string, PluginLogger>();

  constructor(private readonly options: CheckRunnerOptions) {
    const { consumer } = options;
    this.scheduler = new JobScheduler<PreparedCheck, CheckResult>({
      maxConcurrent: options.maxConcurrent,
      logger: contextLogger(options.logger, 'Checks'),
      noun: 'check',
      timers: options.timers,
      firstRunWindowMs: options.firstRunWindowMs,
      retry: checkRetryRule(options.retryDelayMs),
      failed: failedCheck,
      run: (job, context) => (job.unrunnable ? Promise.resolve(job.unrunnable) : job.plugin!.run(job.task.target, job.config!, context)),
      onResult: ({ job, result, dueAt, startedAt, finishedAt, attempts }) =>
        consumer.onCheckOutcome({ task: job.task, result, dueAt, startedAt, finishedAt, attempts }),
      onStart: consumer.onCheckStart ? (job, dueAt, startedAt) => consumer.onCheckStart!(job.task, dueAt, startedAt) : undefined,
    });
  }

  /** Tasks held (running or waiting for their time). */
  get size(): number {
    return this.scheduler.size;
  }
  /** Checks running now. */
  get running(): number {
    return this.scheduler.running;
  }
  /** Checks due but waiting for a free slot. */
  get waiting(): number {
    return this.scheduler.waiting;
  }

  has(id: number): boolean {
    return this.scheduler.has(String(id));
  }

  /** When the task runs next (epoch ms), or undefined while it runs or waits for a slot. */
  nextRunAt(id: number): number | undefined {
    return this.scheduler.nextRunAt(String(id));
  }

  /**
   * Adds or replaces a task: a new or changed one runs within 5 s (`runSoon`, the default); one loaded at
   * start (`runSoon: false`) runs at its next slot after `lastCheckedAt`, with `lastResult` seeding the
   * retry rule. A running check of the previous version is aborted and its result dropped. Returns why the
   * task cannot run (it then reports `down` saying so each interval), or null. A task is validated here,
   * once; a PreparedCheck from `prepare()` is taken as it is.
   */
  upsert(
    task: CheckTask | PreparedCheck,
    options: { runSoon?: boolean; lastCheckedAt?: number | null; lastResult?: CheckResult | null } = {},
  ): CheckTaskProblem | null {
    const job = task instanceof PreparedCheck ? task : this.prepare(task);
    this.scheduler.upsert(job, { runSoon: options.runSoon, lastRunAt: options.lastCheckedAt, previous: options.lastResult });
    return job.problem;
  }

  /** Stops running a task (deleted, paused, unassigned); a running check is aborted and its result dropped. */
  remove(id: number): void {
    this.scheduler.remove(String(id));
  }

  /** Aborts every running check and waits for it; nothing runs afterwards. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** Looks up the task's plugin and validates its options, without scheduling it. */
  prepare(task: CheckTask): PreparedCheck {
    const registered = this.options.plugins.check(task.type);
    if (!registered) {
      return new PreparedCheck(task, undefined, null, null, {
        reason: 'unknown-type',
        message: `no check plugin "${task.type}" is installed`,
      });
    }
    const logger = this.loggerOf(registered.id);
    const validated = validatePluginConfig<object>(registered.meta.config, task.options);
    if (!validated.ok) {
      return new PreparedCheck(task, logger, null, null, {
        reason: 'invalid-options',
        message: 'the monitor options are not valid for its check type; edit the monitor',
        fields: validated.errors,
      });
    }
    return new PreparedCheck(task, logger, registered.plugin, validated.value, null);
  }

  private loggerOf(pluginId: string): PluginLogger {
    let logger = this.pluginLoggers.get(pluginId);
    if (!logger) this.pluginLoggers.set(pluginId, (logger = pluginLogger(this.options.logger, pluginId)));
    return logger;
  }
}
