import { Inject, Injectable, type LoggerService } from '@nestjs/common';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import { PULSE_LOGGER } from '../config/config.module.js';
import { PollerConfig } from '../config/remote-config.schema.js';
import { backoffDelayMs, count } from '../link/backoff.js';
import { Link } from '../link/link.js';
import { answerMessage, ServerUnreachable, type LinkResponse } from '../link/server-client.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { CheckRunner, type CheckConsumer } from '../scheduler/check-runner.js';
import { parseCheckTask, type CheckOutcome, type CheckTask } from '../scheduler/check-task.js';
import { DataDirLock } from '../link/data-dir-lock.js';

/** SPEC §4: the task list is fetched at start and every 30 s. */
export const TASK_SYNC_MS = 30_000;
const TASK_CACHE = 'tasks.json';

/** The server no longer takes the poller's token: nothing can be done until poller.conf changes. */
export class TokenRefused extends StartupError {
  override name = 'TokenRefused';
  constructor(message: string) {
    super(message, { exitCode: EXIT_CONFIG });
  }
}

/**
 * lillydoo-pulse-poller at work: registers with the server, keeps the task list in step (ETag, every
 * 30 s, cached on disk so a restart while the server is away goes on checking), runs the tasks with the
 * shared CheckRunner and the check plugins, and hands each result to the link, which keeps it in the
 * disk outbox until the server has it. No database.
 */
@Injectable()
export class PollerRuntime implements CheckConsumer {
  private readonly log: LoggerService;
  private link: Link | null = null;
  private runner: CheckRunner | null = null;
  private lock: DataDirLock | null = null;
  /** The tasks running now, as JSON, by monitor id (a changed task is one whose JSON changed). */
  private readonly current = new Map<number, string>();
  private etag: string | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private stopping = false;
  private readonly halt = new AbortController();
  private stopped!: Promise<void>;
  private finish!: (error?: Error) => void;
  private tasksUnreachableSince: number | null = null;
  /** How late each check started after it was due (ms), since the last summary. */
  private startDelays: number[] = [];
  private summaryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: PollerConfig,
    private readonly plugins: PluginRegistry,
    @Inject(PULSE_LOGGER) logger: LoggerService,
  ) {
    this.log = logger;
  }

  /** Runs until `stop()`; rejects with TokenRefused when the server refuses the token or this name. */
  async run(): Promise<void> {
    this.stopped = new Promise<void>((resolve, reject) => (this.finish = (error) => (error ? reject(error) : resolve())));
    const { config } = this;
    mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
    this.lock = DataDirLock.acquire(config.data_dir, 'poller');
    this.link = Link.open({
      config,
      role: 'poller',
      path: '/api/poller/results',
      itemsKey: 'results',
      noun: 'results',
      logger: this.log,
      onTokenRefused: (message) => this.refused(`the server refused the token while taking results: ${message}`),
    });
    if (this.link.client.base.protocol === 'http:' && !isLoopback(this.link.client.base.hostname))
      this.warn(`server is ${this.link.client.origin} (plain HTTP): the token and the results travel unencrypted; use https://`);
    this.runner = new CheckRunner({ plugins: this.plugins, consumer: this, maxConcurrent: config.max_concurrent_checks, logger: this.log });
    const cached = this.loadTaskCache();
    if (cached) {
      this.etag = cached.etag;
      this.apply(cached.tasks, true);
      if (cached.tasks.length > 0)
        this.info(`running the ${count(cached.tasks.length)} task(s) known from the last start until the server answers`);
    }
    void this.start().catch((error: Error) => void this.stop(error));
    this.summaryTimer = setInterval(() => this.summarise(), 60_000);
    this.summaryTimer.unref();
    return this.stopped;
  }

  /** Stops checking and sending (queued results stay in the outbox); `run()` then settles, with `error` if given. */
  async stop(error?: Error): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.halt.abort();
    if (this.syncTimer) clearTimeout(this.syncTimer);
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    await this.syncing?.catch(() => undefined);
    await this.runner?.stop();
    // A clean stop sends what is queued if the server answers at once; the rest waits in the outbox.
    await this.link?.close({ flushMs: error ? 0 : 5000 });
    this.lock?.release();
    this.finish?.(error);
  }

  onCheckStart(_task: CheckTask, dueAt: number, startedAt: number): void {
    if (this.startDelays.length < 1_000_000) this.startDelays.push(Math.max(0, startedAt - dueAt));
  }

  /** A check finished (after its retries): its result goes to the outbox with the time it was checked. */
  onCheckOutcome(outcome: CheckOutcome): void {
    if (!this.link) return;
    const { task, result, attempts, finishedAt } = outcome;
    const details = attempts > 1 ? { ...result.details, attempts } : (result.details ?? null);
    const checkedAt = new Date(finishedAt).toISOString();
    try {
      this.link.enqueue({
        monitor_id: task.id,
        status: result.status,
        latency_ms: result.latencyMs,
        message: result.message,
        checked_at: checkedAt,
        details,
      });
    } catch (error) {
      this.log.error(`the result of monitor ${task.id} could not be queued: ${(error as Error).message}`, 'Link');
      return;
    }
    this.log.debug?.(`queued result of monitor ${task.id}: ${result.status} (${result.message}) checked_at ${checkedAt}`, 'Checks');
  }

  // ---- internals ----------------------------------------------------------------------------------------

  /** Once a minute (with --debug): how many checks ran and how punctually they started. */
  private summarise(): void {
    const delays = this.startDelays.sort((a, b) => a - b);
    this.startDelays = [];
    if (delays.length === 0) return;
    const at = (fraction: number) => delays[Math.min(delays.length - 1, Math.ceil(fraction * delays.length) - 1)]!;
    const { queued, state } = this.link?.stats() ?? { queued: 0, state: 'connected' };
    this.log.debug?.(
      `checks in the last minute: ${count(delays.length)} started, ${at(0.5)} ms late at the median, ${at(0.99)} ms at p99, ` +
        `${delays[delays.length - 1]} ms at most; ${count(this.runner?.waiting ?? 0)} waiting for a slot; link ${state}, ${count(queued)} queued`,
      'Checks',
    );
  }

  private async start(): Promise<void> {
    const registered = await this.register();
    if (!registered) return;
    this.link!.start();
    await this.syncTasks();
  }

  /** POST /api/poller/register until the server answers; false when stopped meanwhile. */
  private async register(): Promise<boolean> {
    const { config } = this;
    let failures = 0;
    let since: number | null = null;
    while (!this.stopping) {
      let response: LinkResponse;
      try {
        response = await this.link!.client.request('POST', '/api/poller/register', {
          json: { name: config.name, location: config.location, version: PULSE_VERSION },
          signal: this.halt.signal,
        });
      } catch (error) {
        if (!(error instanceof ServerUnreachable)) throw error;
        if (this.stopping) return false;
        if (since === null) {
          since = Date.now();
          this.warn(`cannot register: server ${this.link!.client.origin} unreachable (${error.message}); trying again with backoff`);
        }
        await this.sleep(backoffDelayMs(++failures, Math.random));
        continue;
      }
      if (response.status === 200) {
        const { id, name, location } = response.json as { id: number; name: string; location: string };
        const differs = name !== config.name ? ` (poller.conf says "${config.name}"; the name on the server is kept)` : '';
        this.info(`registered as poller ${id} "${name}"${location ? ` (${location})` : ''} with ${this.link!.client.origin}${differs}`);
        return true;
      }
      if (
        response.status === 401 ||
        response.status === 403 ||
        (response.status >= 400 && response.status < 500 && response.status !== 404 && response.status !== 408 && response.status !== 429)
      )
        throw new TokenRefused(`the server refused to register this poller (HTTP ${response.status}): ${answerMessage(response)}`);
      if (since === null) {
        since = Date.now();
        this.warn(`cannot register: the server answered HTTP ${response.status} (${answerMessage(response)}); trying again with backoff`);
      }
      await this.sleep(backoffDelayMs(++failures, Math.random));
    }
    return false;
  }

  /** GET /api/poller/tasks with If-None-Match; applies a changed list; again in 30 s. */
  private async syncTasks(): Promise<void> {
    if (this.stopping) return;
    this.syncing = this.fetchTasks().finally(() => (this.syncing = null));
    await this.syncing;
    if (this.stopping) return;
    // Not unref'd: this timer is what keeps the process alive between requests.
    this.syncTimer = setTimeout(() => void this.syncTasks().catch((error: Error) => void this.stop(error)), TASK_SYNC_MS);
  }

  private async fetchTasks(): Promise<void> {
    let response: LinkResponse;
    try {
      response = await this.link!.client.request('GET', '/api/poller/tasks', {
        headers: this.etag ? { 'if-none-match': this.etag } : {},
        timeoutMs: 20_000,
        signal: this.halt.signal,
      });
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      if (this.stopping) return;
      if (this.tasksUnreachableSince === null) {
        this.tasksUnreachableSince = Date.now();
        this.info(`cannot fetch the task list (${error.message}); running the ${count(this.current.size)} known task(s) meanwhile`);
      }
      return;
    }
    if (this.tasksUnreachableSince !== null) {
      this.tasksUnreachableSince = null;
      this.info('task list reachable again');
    }
    if (response.status === 304) return;
    if (response.status === 401 || response.status === 403) {
      this.refused(`the server refused the token while fetching tasks (HTTP ${response.status}): ${answerMessage(response)}`);
      return;
    }
    if (response.status !== 200) {
      this.warn(
        `the task list could not be fetched (HTTP ${response.status}: ${answerMessage(response)}); keeping the ${count(this.current.size)} known task(s)`,
      );
      return;
    }
    const raw = (response.json as { tasks?: unknown } | undefined)?.tasks;
    if (!Array.isArray(raw)) {
      this.warn('the task list answer holds no "tasks" list; keeping the known tasks');
      return;
    }
    const tasks: CheckTask[] = [];
    for (const item of raw) {
      try {
        tasks.push(parseCheckTask(item));
      } catch (error) {
        this.warn(`a task from the server is not usable and is skipped: ${(error as Error).message}`);
      }
    }
    this.apply(tasks, false);
    this.etag = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    this.saveTaskCache(tasks);
  }

  /** Starts new and changed tasks, stops removed ones. At start they are spread over a minute; later changes run within 5 s. */
  private apply(tasks: CheckTask[], atStart: boolean): void {
    const wanted = new Map(tasks.map((task) => [task.id, task]));
    let added = 0;
    let changed = 0;
    let removed = 0;
    for (const [id, task] of wanted) {
      const json = JSON.stringify(task);
      const known = this.current.get(id);
      if (known === json) continue;
      const problem = this.runner!.upsert(task, atStart ? { runSoon: false, lastCheckedAt: 0 } : { runSoon: true });
      if (problem) this.warn(`monitor ${id} (${task.type} ${task.target}): ${problem.message}; it is reported down until that is fixed`);
      this.current.set(id, json);
      if (known === undefined) added++;
      else changed++;
    }
    for (const id of [...this.current.keys()]) {
      if (wanted.has(id)) continue;
      this.runner!.remove(id);
      this.current.delete(id);
      removed++;
    }
    if (!atStart && added + changed + removed > 0)
      this.info(`tasks: ${count(wanted.size)} monitor(s) to check (${added} new, ${changed} changed, ${removed} removed)`);
  }

  private loadTaskCache(): { etag: string | null; tasks: CheckTask[] } | null {
    try {
      const cached = JSON.parse(readFileSync(path.join(this.config.data_dir, TASK_CACHE), 'utf8')) as { etag?: unknown; tasks?: unknown };
      if (!Array.isArray(cached.tasks)) return null;
      return { etag: typeof cached.etag === 'string' ? cached.etag : null, tasks: cached.tasks.map(parseCheckTask) };
    } catch {
      return null; // none yet, or unreadable: the server's list comes soon
    }
  }

  private saveTaskCache(tasks: CheckTask[]): void {
    const file = path.join(this.config.data_dir, TASK_CACHE);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify({ etag: this.etag, tasks }), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      this.warn(`could not keep the task list in ${file}: ${(error as Error).message}`);
    }
  }

  private refused(message: string): void {
    if (this.stopping) return;
    void this.stop(new TokenRefused(`${message}. Check "token" in the configuration (a poller token of this server, not revoked).`));
  }

  /** Waits, or less when stopping. */
  private sleep(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.halt.signal }).catch(() => undefined);
  }

  private info(message: string): void {
    this.log.log(message, 'Poller');
  }

  private warn(message: string): void {
    this.log.warn(message, 'Poller');
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
