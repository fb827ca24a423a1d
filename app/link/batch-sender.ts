import type { LoggerService } from '@nestjs/common';
import { realTimers, type SchedulerTimers } from '../scheduler/timers.js';
import { backoffDelayMs, count, counted, duration, LINK_BACKOFF, retryAfterMs, type BackoffPolicy } from './backoff.js';
import type { DiskOutbox, OutboxBatch } from './disk-outbox.js';
import { answerMessage, ServerUnreachable, type LinkResponse, type LinkTransport } from './server-client.js';

export interface BatchSenderOptions {
  transport: LinkTransport;
  outbox: DiskOutbox;
  /** Where batches go: `/api/poller/results`, `/api/agent/metrics`. */
  path: string;
  /** The body's array: `{"<itemsKey>": [...], "outbox": {"queued", "dropped"}}`. */
  itemsKey: string;
  /** What the items are, plural, for log lines: `results`, `samples`. */
  noun: string;
  logger: LoggerService;
  /** Most items in one batch (500). */
  maxItems?: number;
  /** About the most JSON bytes in one batch (512 KiB, half the server's default body limit). */
  maxBytes?: number;
  /** Longest an item waits for a batch to fill (5 s). */
  flushIntervalMs?: number;
  /** Time for one batch request (30 s). */
  requestTimeoutMs?: number;
  timers?: SchedulerTimers;
  /** For the backoff's jitter (Math.random). */
  random?: () => number;
  backoff?: BackoffPolicy;
  /** A batch the server refuses as a whole (a 4xx other than 401/403/404/408/429) is tried this often, then dropped (3). */
  refusedAttempts?: number;
  /** 401/403: the server does not take the token. Nothing more is sent; the role decides what to do (the poller exits). */
  onTokenRefused?: (message: string) => void;
  /** After each acknowledged batch: how many items it held and the server's answer. */
  onDelivered?: (delivery: { items: number; answer: unknown }) => void;
}

export type LinkState = 'connected' | 'unreachable' | 'refused' | 'stopped';

export interface LinkStats {
  state: LinkState;
  queued: number;
  dropped: number;
  /** Items the server has acknowledged since start. */
  sent: number;
  /** Epoch ms since when the server has been unreachable, or null. */
  unreachableSince: number | null;
  lastProblem: string | null;
}

const CONTEXT = 'Link';
const STILL_UNREACHABLE_LOG_MS = 60_000;

/**
 * Sends what the outbox holds, oldest first, in batches: at most every 5 s or as soon as 500 items are
 * waiting, back to back while catching up. While the server is unreachable or failing (network errors,
 * 5xx, 408, 429, 404) it waits with doubling backoff and jitter and the outbox keeps everything (within its
 * limits); 401/403 stops sending (the token is wrong); a batch the server refuses as a whole is tried a
 * few times and then dropped, counted. Items the server rejects one by one (`"rejected": [{"index",
 * "reason"}]` in its answer) are logged. Every batch reports the outbox figures `{"queued","dropped"}`.
 * One batch is in flight at a time, so acknowledgements arrive in order.
 */
export class BatchSender {
  private readonly timers: SchedulerTimers;
  private readonly random: () => number;
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly flushIntervalMs: number;
  private timer: unknown = null;
  private timerKind: 'batch' | 'backoff' | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private started = false;
  private stopped = false;
  private tokenRefused = false;
  private failures = 0;
  private refusedTries = 0;
  /** Lowered after a 413 (the server's body limit is smaller than ours). */
  private itemsLimit: number;
  private sent = 0;
  private outage: { since: number; reason: string; lastLogAt: number } | null = null;
  private draining: { since: number; total: number } | null = null;
  private lastProblem: string | null = null;

  constructor(private readonly options: BatchSenderOptions) {
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.maxItems = options.maxItems ?? 500;
    this.maxBytes = options.maxBytes ?? 512 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.itemsLimit = this.maxItems;
  }

  get state(): LinkState {
    if (this.stopped) return 'stopped';
    if (this.tokenRefused) return 'refused';
    return this.outage ? 'unreachable' : 'connected';
  }

  stats(): LinkStats {
    const { queued, dropped } = this.options.outbox.stats();
    return {
      state: this.state,
      queued,
      dropped,
      sent: this.sent,
      unreachableSince: this.outage?.since ?? null,
      lastProblem: this.lastProblem,
    };
  }

  /**
   * Starts sending; items left from before a restart go first, at once. Until then items are only queued
   * (a poller queues results while it is not yet registered).
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const queued = this.options.outbox.queued;
    if (queued > 0) {
      this.log('log', `${counted(queued, this.options.noun)} queued from before this start; sending them`);
      this.draining = { since: this.timers.now(), total: queued };
    }
    this.kick();
  }

  /** Queues one item on disk (it survives a crash from here on) and sends it within the batch window. */
  enqueue(item: unknown): void {
    this.options.outbox.append(item);
    this.kick();
  }

  /** Sends what is waiting now, without waiting for the batch window (tests, a clean shutdown). */
  async flush(): Promise<void> {
    while (this.started && !this.stopped && !this.tokenRefused && this.options.outbox.queued > 0 && this.failures === 0) {
      if (this.inFlight) await this.inFlight;
      else {
        this.clearTimer();
        this.sendNow();
      }
    }
    if (this.inFlight) await this.inFlight;
  }

  /** Stops sending; a request in flight is abandoned (its items stay queued). The outbox stays open. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.abort.abort();
    if (this.inFlight) await this.inFlight;
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private kick(): void {
    if (!this.started || this.stopped || this.tokenRefused || this.inFlight || this.timerKind === 'backoff') return;
    const queued = this.options.outbox.queued;
    if (queued === 0) {
      this.clearTimer();
      this.caughtUp();
      return;
    }
    if (queued >= this.itemsLimit || this.draining) {
      this.clearTimer();
      this.sendNow();
    } else if (this.timerKind !== 'batch') {
      this.arm('batch', this.flushIntervalMs);
    }
  }

  private sendNow(): void {
    this.inFlight = this.sendBatch()
      .catch((error: Error) => {
        // A disk error reading the outbox: try again later rather than stop sending for good.
        this.failed(`cannot read the outbox: ${error.message}`, null);
      })
      .finally(() => {
        this.inFlight = null;
        this.kick();
      });
  }

  private async sendBatch(): Promise<void> {
    const { outbox } = this.options;
    const batch = outbox.peek(this.itemsLimit, this.maxBytes);
    if (batch.items.length === 0) {
      outbox.commit(batch); // only items past the age limit or unreadable: dropped, counted
      return;
    }
    const linesInBatch = batch.items.length + batch.expired + batch.unreadable;
    const figures = { queued: Math.max(0, outbox.queued - linesInBatch), dropped: outbox.dropped + batch.expired + batch.unreadable };
    const body = `{${JSON.stringify(this.options.itemsKey)}:[${batch.items.join(',')}],"outbox":${JSON.stringify(figures)}}`;
    let response: LinkResponse;
    try {
      response = await this.options.transport.request('POST', this.options.path, {
        json: body,
        timeoutMs: this.options.requestTimeoutMs ?? 30_000,
        signal: this.abort.signal,
      });
    } catch (error) {
      outbox.release(batch);
      if (this.stopped) return;
      if (!(error instanceof ServerUnreachable)) throw error;
      this.failed(error.message, null);
      return;
    }
    this.handleAnswer(batch, response);
  }

  private handleAnswer(batch: OutboxBatch, response: LinkResponse): void {
    const { outbox, noun } = this.options;
    const { status } = response;
    if (status >= 200 && status < 300) {
      outbox.commit(batch);
      this.delivered(batch, response);
      return;
    }
    const retried = status === 404 || status === 405 || status === 408 || status === 429 || status >= 500 || status < 400;
    if (!retried && status !== 401 && status !== 403 && !(status === 413 && batch.items.length > 1)) {
      // The server refuses this batch as a whole: try a few times (it may be a passing state), then give it up, counted.
      const refusal = `HTTP ${status}: ${answerMessage(response)}`;
      const attempts = this.options.refusedAttempts ?? 3;
      if (++this.refusedTries >= attempts) {
        this.refusedTries = 0;
        outbox.commit(batch, { refused: true });
        this.log('error', `the server refused a batch of ${counted(batch.items.length, noun)} ${attempts} times (${refusal}); dropped it`);
        return;
      }
      outbox.release(batch);
      this.failed(`the server refused the batch (${refusal})`, null);
      return;
    }
    outbox.release(batch);
    if (status === 401 || status === 403) {
      this.tokenRefused = true;
      this.clearTimer();
      const message = answerMessage(response);
      this.lastProblem = `HTTP ${status}: ${message}`;
      this.log(
        'error',
        `the server refused the token (HTTP ${status}: ${message}); check "token" in the configuration. ` +
          `Nothing more is sent; ${counted(outbox.queued, noun)} stay queued on disk`,
      );
      this.options.onTokenRefused?.(message);
      return;
    }
    if (status === 413) {
      this.itemsLimit = Math.max(1, Math.floor(batch.items.length / 2));
      this.log(
        'warn',
        `the server found a batch of ${counted(batch.items.length, noun)} too large (HTTP 413); sending ${this.itemsLimit} at a time`,
      );
      this.draining ??= { since: this.timers.now(), total: outbox.queued };
      return;
    }
    const hint =
      status === 404 || status === 405
        ? ` for ${this.options.path}; is "server" the address of the Pulse server?`
        : status < 400
          ? `; the server redirects (to ${String(response.headers.location ?? '?')}); set "server" to the address it should be reached at`
          : '';
    this.failed(
      `HTTP ${status}: ${answerMessage(response)}${hint}`,
      retryAfterMs(response.headers['retry-after']),
      status >= 500 ? 'failing' : 'unreachable',
    );
  }

  private delivered(batch: OutboxBatch, response: LinkResponse): void {
    const now = this.timers.now();
    const { noun } = this.options;
    this.failures = 0;
    this.refusedTries = 0;
    this.sent += batch.items.length;
    if (this.outage) {
      const left = this.options.outbox.queued;
      const queued = left + batch.items.length;
      const after = `server back after ${duration(now - this.outage.since)}`;
      const what = `${count(queued)} queued ${queued === 1 ? noun.replace(/s$/, '') : noun}`;
      this.log('log', left === 0 ? `${after}; sent the ${what}` : `${after}, sending ${what}`);
      this.outage = null;
      this.lastProblem = null;
      this.draining = left === 0 ? null : { since: now, total: queued };
    }
    // Catching up ends with the first batch that was not full: what arrives from now on waits for the batch window.
    const full = batch.items.length >= this.itemsLimit || batch.bytes >= this.maxBytes * 0.9;
    if (this.draining && !full) this.caughtUp();
    const answer = response.json as { accepted?: unknown; duplicates?: unknown } | undefined;
    if (typeof answer?.accepted === 'number' && typeof answer.duplicates === 'number')
      this.options.logger.debug?.(
        `sent ${counted(batch.items.length, noun)}: ${count(answer.accepted)} new, ${count(answer.duplicates)} already there`,
        CONTEXT,
      );
    this.reportRejections(batch, response.json);
    this.options.onDelivered?.({ items: batch.items.length, answer: response.json });
  }

  private reportRejections(batch: OutboxBatch, answer: unknown): void {
    const rejected = (answer as { rejected?: unknown } | undefined)?.rejected;
    if (!Array.isArray(rejected) || rejected.length === 0) return;
    const reasons = new Map<string, number>();
    for (const entry of rejected) {
      const reason = typeof (entry as { reason?: unknown })?.reason === 'string' ? (entry as { reason: string }).reason : 'no reason given';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const listed = [...reasons]
      .slice(0, 5)
      .map(([reason, times]) => (times > 1 ? `${reason} (${count(times)}×)` : reason))
      .join('; ');
    this.log('warn', `the server rejected ${count(rejected.length)} of ${count(batch.items.length)} ${this.options.noun}: ${listed}`);
  }

  private caughtUp(): void {
    if (!this.draining) return;
    const { since, total } = this.draining;
    this.draining = null;
    this.log(
      'log',
      `sent ${count(total)} queued ${total === 1 ? this.options.noun.replace(/s$/, '') : this.options.noun} in ${duration(this.timers.now() - since)}; caught up`,
    );
  }

  private failed(reason: string, minDelayMs: number | null, kind: 'unreachable' | 'failing' = 'unreachable'): void {
    this.failures++;
    this.lastProblem = reason;
    const now = this.timers.now();
    const queued = `${counted(this.options.outbox.queued, this.options.noun)} queued`;
    if (!this.outage) {
      this.outage = { since: now, reason, lastLogAt: now };
      this.log('warn', `server ${kind} (${reason}), ${queued}; trying again with backoff`);
    } else if (now - this.outage.lastLogAt >= STILL_UNREACHABLE_LOG_MS) {
      this.outage.lastLogAt = now;
      this.outage.reason = reason;
      this.log('warn', `server still ${kind} after ${duration(now - this.outage.since)} (${reason}), ${queued}`);
    }
    this.draining = null;
    const delay = Math.max(backoffDelayMs(this.failures, this.random, this.options.backoff ?? LINK_BACKOFF), minDelayMs ?? 0);
    this.arm('backoff', delay);
  }

  private arm(kind: 'batch' | 'backoff', delayMs: number): void {
    this.clearTimer();
    this.timerKind = kind;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.timerKind = null;
      if (this.stopped || this.tokenRefused || this.inFlight) return;
      if (this.options.outbox.queued > 0) this.sendNow();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerKind = null;
  }

  private log(level: 'log' | 'warn' | 'error', message: string): void {
    this.options.logger[level](message, CONTEXT);
  }
}
