import type { LoggerService } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service.js';
import { CheckRunner, type CheckCatalog, type CheckConsumer, type PreparedCheck } from '../scheduler/check-runner.js';
import type { CheckOutcome } from '../scheduler/check-task.js';
import type { Monitor } from './monitor.entity.js';
import { checkTaskOf } from './monitor-task.js';

export interface MonitorChecksOptions {
  plugins: CheckCatalog;
  /** Gets each round's outcome: the runtime. */
  consumer: CheckConsumer;
  maxConcurrent: number;
  logger: LoggerService;
  metrics: MetricsService;
}

/** The public source's checks this server runs: on one CheckRunner, prepared once per load or edit, and measured. */
export class MonitorChecks {
  private readonly runner: CheckRunner;
  private readonly logger: LoggerService;
  private readonly checks: Counter<'type' | 'status'>;
  private readonly durations: Histogram<'type'>;
  private readonly startDelays: Histogram;
  private readonly startListeners: ((dueAt: number, startedAt: number) => void)[] = [];

  constructor({ plugins, consumer, maxConcurrent, logger, metrics }: MonitorChecksOptions) {
    this.logger = logger;
    this.runner = new CheckRunner({ plugins, consumer, maxConcurrent, logger });
    this.checks = metrics.counter({
      name: 'pulse_checks_total',
      help: 'Monitor checks run by this server, by type and result',
      labelNames: ['type', 'status'],
    });
    this.durations = metrics.histogram({
      name: 'pulse_check_duration_seconds',
      help: 'Duration of monitor checks run by this server',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.startDelays = metrics.histogram({
      name: 'pulse_check_start_delay_seconds',
      help: 'How late checks start after they are due (scheduler jitter)',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    const { runner } = this;
    metrics.gauge({
      name: 'pulse_checks_running',
      help: 'Checks running now',
      collect() {
        this.set(runner.running);
      },
    });
    metrics.gauge({
      name: 'pulse_checks_waiting',
      help: 'Checks due but waiting for a free slot',
      collect() {
        this.set(runner.waiting);
      },
    });
  }

  /** How many monitors' public checks run here. */
  get size(): number {
    return this.runner.size;
  }

  /** Looks up the plugin and validates the options, once per load or edit; a monitor whose type or options do not work shows as down. */
  prepare(monitor: Monitor): PreparedCheck {
    const check = this.runner.prepare(checkTaskOf(monitor));
    if (check.problem?.reason === 'unknown-type')
      this.logger.warn(`monitor ${monitor.id} "${monitor.name}": no check plugin "${monitor.type}" is installed; it will show as down`);
    else if (check.problem)
      this.logger.warn(`monitor ${monitor.id} "${monitor.name}": its options no longer validate; it will show as down`);
    return check;
  }

  /** Runs the check here, or runs it with new settings (see CheckRunner.upsert). */
  upsert(check: PreparedCheck, options: Parameters<CheckRunner['upsert']>[1]): void {
    this.runner.upsert(check, options);
  }

  /** The monitor's check no longer runs here; one running now is aborted. */
  remove(monitorId: number): void {
    this.runner.remove(monitorId);
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** A check started: how late it was (and any benchmark listening hears it). */
  started(dueAt: number, startedAt: number): void {
    this.startDelays.observe(Math.max(0, startedAt - dueAt) / 1000);
    for (const listener of this.startListeners) listener(dueAt, startedAt);
  }

  /** A check of a monitor of this type finished: counted by result, and timed. */
  finished(type: string, outcome: CheckOutcome): void {
    this.checks.inc({ type, status: outcome.result.status });
    this.durations.observe({ type }, (outcome.finishedAt - outcome.startedAt) / 1000);
  }

  /** Calls `listener` as each check starts, with when it was due; for benchmarks. */
  observeStarts(listener: (dueAt: number, startedAt: number) => void): void {
    this.startListeners.push(listener);
  }
}
