import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Counter, Histogram } from 'prom-client';
import { ServerConfig } from '../config/config.schema.js';
import { EventBus } from '../events/pulse-events.js';
import { consoleLink } from '../http/console-link.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import { NetworkPolicy } from '../plugin-host/network-policy.js';
import { Clock } from '../runtime/clock.js';
import { FINAL_STATUSES, type AlertDelivery } from './alert-delivery.entity.js';
import { AlertDeliveryRepository } from './alert-delivery.repository.js';
import { AlertChannelsService } from './alert-channels.service.js';
import { targetKey } from './channel-targets.js';
import { DeliveryWorker } from './delivery-worker.js';
import './alert.events.js';

const SYNC_INTERVAL_MS = 5_000;
/** How often targets with storm-held alerts are checked for a digest that is due. */
const DIGEST_CHECK_MS = 500;
const SHUTDOWN_GRACE_MS = 5_000;
/** The delivery log keeps days of history: pruning it hourly is plenty. */
const PRUNE_INTERVAL_MS = 60 * 60_000;

/**
 * Runs one DeliveryWorker per channel target, wakes them when work is queued, sums up storm-held alerts
 * into digests once the storm window has passed, hands back deliveries held by servers that died, and
 * prunes the delivery log.
 */
@Injectable()
export class AlertQueueService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Alerts');
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly workers = new Map<string, DeliveryWorker>();
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private digestTimer: NodeJS.Timeout | null = null;
  /** Targets this server has held alerts for (the upkeep finds other servers' held alerts too). */
  private readonly heldTargets = new Map<string, { targetKey: string; channel: string; targetType: string }>();
  private syncing: Promise<void> | null = null;
  private lastPrune = 0;
  private readonly sent: Counter<'channel' | 'type'>;
  private readonly failed: Counter<'channel' | 'type'>;
  private readonly retried: Counter<'channel' | 'type'>;
  private readonly latency: Histogram<'type'>;
  private readonly network: NetworkPolicy;

  constructor(
    private readonly repository: AlertDeliveryRepository,
    private readonly channels: AlertChannelsService,
    private readonly config: ServerConfig,
    private readonly clock: Clock,
    private readonly events: EventBus,
    metrics: MetricsService,
  ) {
    // The config loader has checked both lists, so this cannot throw.
    this.network = new NetworkPolicy({ allow: config.alerting.allow_networks, deny: config.alerting.deny_networks });
    this.sent = metrics.counter({ name: 'pulse_alerts_sent_total', help: 'Alerts delivered', labelNames: ['channel', 'type'] });
    this.failed = metrics.counter({
      name: 'pulse_alerts_failed_total',
      help: 'Alerts given up (permanent error or retry period over)',
      labelNames: ['channel', 'type'],
    });
    this.retried = metrics.counter({
      name: 'pulse_alerts_retried_total',
      help: 'Alert attempts that failed temporarily',
      labelNames: ['channel', 'type'],
    });
    this.latency = metrics.histogram({
      name: 'pulse_alert_delivery_seconds',
      help: 'From queueing an alert to its delivery',
      labelNames: ['type'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 600],
    });
    metrics.gauge({
      name: 'pulse_alert_queue_depth',
      help: 'Alerts by queue status',
      labelNames: ['status'],
      collect: async function (this: { set(labels: { status: string }, value: number): void }) {
        const counts = await repository.countByStatus().catch(() => ({}) as Record<string, number>);
        for (const status of ['pending', 'sending', 'held']) this.set({ status }, counts[status] ?? 0);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const now = this.clock.now();
    await this.repository.releaseExpiredClaims(now);
    await this.sync();
    this.timer = setInterval(() => void this.sync(), SYNC_INTERVAL_MS);
    this.timer.unref();
    this.digestTimer = setInterval(() => void this.flushHeldTargets(), DIGEST_CHECK_MS);
    this.digestTimer.unref();
  }

  /** Stops taking work, lets sends in flight finish for a moment, then aborts them (they will be retried). */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.digestTimer) clearInterval(this.digestTimer);
    await this.syncing;
    const stopping = Promise.all([...this.workers.values()].map((worker) => worker.stop()));
    const grace = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    await Promise.race([stopping, grace]);
    this.shutdown.abort();
    await stopping;
  }

  /** Work was queued for these targets (a channel made a moment ago gets its worker here). */
  wake(targetKeys: Iterable<string>): void {
    for (const key of targetKeys) {
      if (this.workers.has(key)) this.workers.get(key)!.wake();
      else this.ensureWorker(key);
    }
  }

  /** Alerts were held for a digest on these targets: check them often until the digest is out. */
  noteHeld(targets: { targetKey: string; channel: string; targetType: string }[]): void {
    for (const target of targets) this.heldTargets.set(target.targetKey, target);
  }

  private async flushHeldTargets(): Promise<void> {
    if (this.heldTargets.size === 0 || this.syncing) return;
    const targets = [...this.heldTargets.values()];
    this.heldTargets.clear();
    try {
      const waiting = await this.flushDigests(targets, this.clock.now());
      for (const target of waiting) this.heldTargets.set(target.targetKey, target);
    } catch (error) {
      for (const target of targets) this.heldTargets.set(target.targetKey, target);
      this.logger.error(`storm digest failed: ${(error as Error).message}`);
    }
  }

  /**
   * Resolves when every delivery is finished (sent, failed, cancelled) or has been tried once and waits
   * for its retry (the answer says why and when), or after `timeoutMs`; the deliveries as they are then.
   */
  async settle(ids: number[], timeoutMs: number): Promise<AlertDelivery[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.repository.findByIds(ids);
      const told = (row: AlertDelivery) => FINAL_STATUSES.includes(row.status) || (row.status === 'pending' && row.attempts > 0);
      if (rows.every(told) || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    try {
      const now = this.clock.now();
      // Workers started after this point belong to channels made meanwhile: they are never stopped below.
      const known = new Set(this.workers.keys());
      await this.repository.releaseExpiredClaims(now);
      const channels = await this.channels.list();
      const live = new Set(channels.flatMap((channel) => channel.targets.map((target) => targetKey(channel.name, target.type))));
      for (const key of live) this.ensureWorker(key);
      const withWork = await this.repository.targetsWithWork();
      for (const work of withWork) {
        if (!live.has(work.targetKey)) {
          // A channel gone from the config file (or deleted by another server mid-way): nothing more is sent
          // there. Only what was queued before `channels` was read: a channel made since is not in it.
          const count = await this.repository.cancelAll(
            [work.targetKey],
            `alert channel "${work.channel}" (${work.targetType}) no longer exists`,
            now,
            now,
          );
          if (count > 0) {
            this.logger.warn(`${count} queued alert(s) for the removed channel ${work.targetKey} cancelled`);
            this.events.emit('alert.delivery-changed', { id: null, channel: work.channel, status: 'cancelled' });
          }
        }
      }
      this.stopWorkersOutside(known, live);
      await this.flushDigests(
        withWork.filter((work) => live.has(work.targetKey)),
        now,
      );
      if (now - this.lastPrune >= PRUNE_INTERVAL_MS) {
        this.lastPrune = now;
        await this.repository.prune(now - this.config.alerting.log_retention_days * 86_400_000);
      }
    } catch (error) {
      this.logger.error(`alert queue upkeep failed: ${(error as Error).message}`);
    }
  }

  /** Workers of targets that no longer exist stop once idle (a channel made again gets a new one). */
  private stopWorkersOutside(known: Set<string>, live: Set<string>): void {
    for (const [key, worker] of this.workers) {
      if (!known.has(key) || live.has(key) || worker.busy) continue;
      this.workers.delete(key);
      void worker.stop();
    }
  }

  private ensureWorker(key: string): void {
    if (this.workers.has(key)) return;
    const worker = new DeliveryWorker(key, this.repository, this.channels, {
      workerId: this.workerId,
      timeoutMs: this.config.alerting.delivery_timeout_seconds * 1000,
      retryPeriodMs: this.config.alerting.retry_minutes * 60_000,
      now: () => this.clock.now(),
      shutdown: this.shutdown.signal,
      network: this.network,
      logger: this.logger,
      onOutcome: (delivery, outcome) => this.count(delivery, outcome),
      onChange: (delivery, status) => this.events.emit('alert.delivery-changed', { id: delivery.id, channel: delivery.channel, status }),
    });
    this.workers.set(key, worker);
    worker.start();
  }

  private count(delivery: AlertDelivery, outcome: 'sent' | 'retry' | 'failed'): void {
    const labels = { channel: delivery.channel, type: delivery.targetType };
    if (outcome === 'sent') {
      this.sent.inc(labels);
      this.latency.observe({ type: delivery.targetType }, Math.max(0, this.clock.now() - delivery.createdAt) / 1000);
    } else if (outcome === 'retry') this.retried.inc(labels);
    else this.failed.inc(labels);
  }

  /**
   * Alerts held during a storm go out as one digest per target once the storm window has passed.
   * Returns the targets whose held alerts are not due yet.
   */
  private async flushDigests(targets: { targetKey: string; channel: string; targetType: string }[], now: number): Promise<typeof targets> {
    const windowMs = this.config.alerting.storm_window_seconds * 1000;
    const waiting: typeof targets = [];
    for (const work of targets) {
      const held = await this.repository.heldFor(work.targetKey);
      if (held.length === 0) continue;
      if (held[0]!.createdAt > now - windowMs) {
        waiting.push(work);
        continue;
      }
      const events = held.map((row) => JSON.parse(row.event) as AlertEvent);
      const digest: AlertEvent = {
        kind: 'digest',
        id: `digest-${held[0]!.id}`,
        name: work.channel,
        fromState: '',
        toState: '',
        recovered: false,
        incidentNumber: null,
        message: `${events.length} changes`,
        url: consoleLink(this.config, ''),
        at: now,
        since: held[0]!.createdAt,
        events,
      };
      const created = await this.repository.digest(
        held,
        { channel: work.channel, targetType: work.targetType, targetKey: work.targetKey, event: JSON.stringify(digest), status: 'pending' },
        now,
      );
      this.logger.log(`storm on ${work.targetKey}: ${events.length} alerts summed up in digest #${created.id}`);
      this.events.emit('alert.delivery-changed', { id: null, channel: work.channel, status: 'digested' });
      this.events.emit('alert.delivery-changed', { id: created.id, channel: work.channel, status: 'pending' });
      this.wake([work.targetKey]);
    }
    return waiting;
  }
}
