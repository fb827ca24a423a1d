import type { LoggerService } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { PluginError, type AlertEvent } from '../plugin-host/contracts.js';
import type { NetworkPolicy } from '../plugin-host/network-policy.js';
import { createPluginContext, pluginLogger } from '../plugin-host/plugin-context.js';
import type { AlertAttempt } from './alert-attempt.entity.js';
import type { AlertDelivery } from './alert-delivery.entity.js';
import type { AlertDeliveryRepository } from './alert-delivery.repository.js';
import type { AlertChannelsService } from './alert-channels.service.js';
import { nextAttemptAt } from './retry-policy.js';

export interface WorkerSettings {
  workerId: string;
  timeoutMs: number;
  retryPeriodMs: number;
  now(): number;
  shutdown: AbortSignal;
  /** `[alerting] allow_networks` / `deny_networks`: where alerters may connect. */
  network: NetworkPolicy;
  logger: LoggerService;
  onOutcome(delivery: AlertDelivery, outcome: 'sent' | 'retry' | 'failed', durationMs: number): void;
  /** A delivery this worker took (`sending`), settled (`sent`, `pending` for a retry, `failed`) or cancelled. */
  onChange(delivery: AlertDelivery, status: AlertDelivery['status']): void;
}

/** Longest idle wait between looks at the queue (another server may have queued work, retries fall due). */
const IDLE_POLL_MS = 5_000;

/**
 * The worker of one channel target: takes its due deliveries one at a time, renders, sends, records the
 * attempt. Each target has its own worker, so a slow or failing channel never holds up another.
 */
export class DeliveryWorker {
  private wakeUp: (() => void) | null = null;
  /** wake() came while the worker was not asleep (looking at the queue): its next sleep ends at once. */
  private woken = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  busy = false;

  constructor(
    readonly targetKey: string,
    private readonly repository: AlertDeliveryRepository,
    private readonly channels: AlertChannelsService,
    private readonly settings: WorkerSettings,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Something was queued for this target: look now instead of at the next poll. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const now = this.settings.now();
        const delivery = await this.repository.claimNext(
          this.targetKey,
          this.settings.workerId,
          now,
          now + this.settings.timeoutMs + 30_000,
        );
        if (delivery) {
          this.busy = true;
          this.settings.onChange(delivery, 'sending');
          await this.deliver(delivery);
          this.busy = false;
          continue;
        }
        const due = await this.repository.nextDueAt(this.targetKey);
        await this.sleep(due === null ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, Math.max(0, due - this.settings.now())));
      } catch (error) {
        this.busy = false;
        if (this.stopped) break;
        this.settings.logger.error(`alert worker ${this.targetKey}: ${(error as Error).message}`, 'Alerts');
        await this.sleep(1000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    // A wake that came while the queue was being read may be for work that read did not see yet.
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async deliver(delivery: AlertDelivery): Promise<void> {
    const started = performance.now();
    const attemptAt = this.settings.now();
    let error: Error | null = null;
    try {
      const channel = await this.channels.find(delivery.channel);
      const target = channel?.targets.find((candidate) => candidate.type === delivery.targetType);
      if (!channel || !target) {
        // Deleted since this was queued (the deletion normally cancels it first): nothing is attempted.
        const reason = `alert channel "${delivery.channel}" (${delivery.targetType}) no longer exists`;
        await this.repository.cancelAll([delivery.targetKey], reason, this.settings.now());
        this.settings.onChange(delivery, 'cancelled');
        this.settings.logger.warn(`alert #${delivery.id} to ${this.targetKey} cancelled: ${reason}`, 'Alerts');
        return;
      }
      let effective;
      try {
        effective = this.channels.effective(channel, target);
      } catch (problem) {
        throw new PluginError(`channel settings are not usable: ${(problem as Error).message}`, false);
      }
      const event = JSON.parse(delivery.event) as AlertEvent;
      const message = effective.alerter.plugin.render(event, effective.settings);
      const context = createPluginContext({
        timeoutMs: this.settings.timeoutMs,
        logger: pluginLogger(this.settings.logger, effective.alerter.id),
        parent: this.settings.shutdown,
        network: this.settings.network,
      });
      await effective.alerter.plugin.send(message, effective.settings, context);
    } catch (failure) {
      error = failure as Error;
    }
    const durationMs = Math.round(performance.now() - started);
    const now = this.settings.now();
    const attempts = delivery.attempts + 1;
    const record = (attempt: Pick<AlertAttempt, 'ok' | 'error' | 'temporary'>, update: Partial<AlertDelivery>) =>
      this.repository.recordAttempt({ deliveryId: delivery.id, at: attemptAt, durationMs, ...attempt }, update, this.settings.workerId);
    if (!error) {
      await record(
        { ok: true, error: null, temporary: null },
        { status: 'sent', attempts, deliveredAt: now, lastError: null, updatedAt: now },
      );
      this.settings.onChange(delivery, 'sent');
      this.settings.onOutcome(delivery, 'sent', durationMs);
      return;
    }
    // A plugin that throws something other than PluginError has a bug or met the unexpected: retrying may help.
    const temporary = error instanceof PluginError ? error.temporary : true;
    const message = error.message.slice(0, 2000);
    const retryAt = temporary ? nextAttemptAt(attempts, delivery.createdAt, now, this.settings.retryPeriodMs) : null;
    const failure = { ok: false, error: message, temporary };
    if (retryAt !== null) {
      if (!(await record(failure, { status: 'pending', attempts, nextAttemptAt: retryAt, lastError: message, updatedAt: now }))) {
        this.settings.logger.warn(
          `alert #${delivery.id} to ${this.targetKey} failed (${message}) and was cancelled meanwhile: no retry`,
          'Alerts',
        );
        this.settings.onChange(delivery, 'cancelled');
        return;
      }
      this.settings.onChange(delivery, 'pending');
      this.settings.logger.warn(
        `alert #${delivery.id} to ${this.targetKey} failed (attempt ${attempts}, retrying in ${Math.round((retryAt - now) / 1000)} s): ${message}`,
        'Alerts',
      );
      this.settings.onOutcome(delivery, 'retry', durationMs);
    } else {
      const final = temporary ? `gave up after ${Math.round(this.settings.retryPeriodMs / 60_000)} min of retries: ${message}` : message;
      if (!(await record(failure, { status: 'failed', attempts, lastError: final, updatedAt: now }))) {
        this.settings.onChange(delivery, 'cancelled');
        return;
      }
      this.settings.onChange(delivery, 'failed');
      this.settings.logger.error(`alert #${delivery.id} to ${this.targetKey} failed: ${final}`, 'Alerts');
      this.settings.onOutcome(delivery, 'failed', durationMs);
    }
  }
}
