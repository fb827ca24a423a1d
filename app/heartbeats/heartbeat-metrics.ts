import { Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { HeartbeatSection } from '../config/config.schema.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { Transport } from './heartbeat-commands.js';
import type { ServiceSnapshot, ServiceState } from './service-record.js';

const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** The heartbeat engine's figures (Prometheus, `[metrics]`) and its max_services refusals, kept apart from its rules. */
export class HeartbeatMetrics {
  private readonly logger = new Logger('Heartbeats');
  /** Beats per transport, counted as plain numbers on the hot path and handed to Prometheus on scrape. */
  private readonly beatsBy: Record<Transport, number> = { udp: 0, tcp: 0, http: 0 };
  private readonly refusedCounter: Counter;
  private refusedSinceLog = 0;
  private lastRefusalLog = -Infinity;
  /** Beats accepted since start (for `[metrics]`). */
  beatsTotal = 0;

  constructor(
    private readonly settings: HeartbeatSection,
    metrics: MetricsService,
    services: ReadonlyMap<string, ServiceSnapshot>,
  ) {
    const beatsBy = this.beatsBy;
    const reported: Record<Transport, number> = { udp: 0, tcp: 0, http: 0 };
    metrics.counter({
      name: 'pulse_heartbeat_beats_total',
      help: 'Heartbeat beats accepted',
      labelNames: ['transport'],
      collect() {
        for (const transport of ['udp', 'tcp', 'http'] as const) {
          this.inc({ transport }, beatsBy[transport] - reported[transport]);
          reported[transport] = beatsBy[transport];
        }
      },
    });
    this.refusedCounter = metrics.counter({
      name: 'pulse_heartbeat_services_refused_total',
      help: 'Commands for new service names refused because [heartbeat] max_services was reached',
    });
    metrics.gauge({
      name: 'pulse_heartbeat_services',
      help: 'Heartbeat services by state',
      labelNames: ['state'],
      collect() {
        const counts: Record<ServiceState, number> = { new: 0, ok: 0, error: 0, muted: 0, maintenance: 0 };
        for (const service of services.values()) counts[service.state]++;
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
  }

  beat(transport: Transport): void {
    this.beatsTotal++;
    this.beatsBy[transport]++;
  }

  /** A command for a new service name was refused (max_services): counted, and logged at most once a minute. */
  refused(name: string, now: number, transport: Transport): void {
    this.refusedCounter.inc();
    this.refusedSinceLog++;
    this.logger.debug(`refused new service "${name}" over ${transport}: [heartbeat] max_services (${this.settings.max_services}) reached`);
    if (now - this.lastRefusalLog >= REFUSAL_LOG_INTERVAL_MS) {
      this.logger.warn(
        `[heartbeat] max_services (${this.settings.max_services}) reached: refused ${this.refusedSinceLog} command(s) for new service names ` +
          `(latest "${name}" over ${transport}). Delete unused services or raise the limit.`,
      );
      this.lastRefusalLog = now;
      this.refusedSinceLog = 0;
    }
  }
}
