import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { HeartbeatSection } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DAY_MS } from './forget-unseen.js';
import { HeartbeatEngine } from './heartbeat-engine.js';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const NAMES_LOGGED = 10;

/**
 * `[heartbeat] forget_unseen_days`: once at start and then hourly, forgets the services that one stray
 * beat created (anyone who can send UDP can make them) so they do not use up `max_services`.
 */
@Injectable()
export class ForgetUnseenTask implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Heartbeats');
  private readonly forgotten: Counter;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: HeartbeatSection,
    private readonly engine: HeartbeatEngine,
    metrics: MetricsService,
  ) {
    this.forgotten = metrics.counter({
      name: 'pulse_heartbeat_services_forgotten_total',
      help: 'Services forgotten after [heartbeat] forget_unseen_days: created by one beat, never configured, silent since',
    });
  }

  onApplicationBootstrap(): void {
    if (this.settings.forget_unseen_days === 0) return;
    this.sweep();
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  sweep(): void {
    const days = this.settings.forget_unseen_days;
    const names = this.engine.forgetUnseen(days * DAY_MS);
    if (names.length === 0) return;
    this.forgotten.inc(names.length);
    const shown = names.slice(0, NAMES_LOGGED).join(', ') + (names.length > NAMES_LOGGED ? ` and ${names.length - NAMES_LOGGED} more` : '');
    this.logger.log(
      `forgot ${names.length} service(s) created by one beat and silent for ${days} day(s) ([heartbeat] forget_unseen_days): ${shown}`,
    );
  }
}
