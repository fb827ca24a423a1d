import { Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { FenceLost, Ownership, SoleOwnership, type Fence } from '../cluster/ownership.js';
import { workKey } from '../cluster/shard-of.js';
import { ServerConfig } from '../config/config.schema.js';
import { BatchWriter } from '../database/batch-writer.js';
import { storageFailureOf } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { writeQueueMetrics } from '../database/write-queue-metrics.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { OnPulseEvent } from '../events/pulse-events.js';
import type { AgentStateChanged } from '../agents/agent.events.js';
import type { AlarmStateChanged } from '../alarms/alarm.events.js';
import { consoleLink } from '../http/console-link.js';
import type { MonitorEvaluated, MonitorStateChanged } from '../monitors/monitor.events.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import type { PollerStateChanged } from '../pollers/poller.events.js';
import { Clock } from '../runtime/clock.js';
import { agentAlertEvent, isAgentAlertable } from './agent-alert-policy.js';
import { AlertDispatcher } from './alert-dispatcher.service.js';
import { FlapDetector, FLAP_HISTORY } from './flapping.js';
import { isAlertable, monitorAlertEvent } from './monitor-alert-policy.js';
import { pollerAlertEvent } from './poller-alert-policy.js';

const LISTED_SERVICES = 10;

interface FlappingMonitor {
  /** The latest change while flapping (what the "stopped flapping" notice reports). */
  last: MonitorStateChanged;
  alerts: string[];
}

/**
 * Which state changes become alerts, and in what words: heartbeat alarms (ok ↔ error, as Lovebeat),
 * monitors (down, warning, recovery), agents (warning, down, recovery) and pollers (offline, back online).
 * A flapping monitor (Nagios-style percent state change) sends one
 * notice when it starts flapping and one when it settles, instead of an alert per change.
 */
@Injectable()
export class AlertRoutingService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly flaps: FlapDetector;
  private readonly flapping = new Map<number, FlappingMonitor>();
  /**
   * Alerts the database would not queue (a full disk …), kept in memory in order and queued once it
   * takes writes again — one per batch, so a retry never queues an alert twice.
   */
  private readonly unqueued: BatchWriter<{ event: AlertEvent; channels: string[]; fence: Fence | null }>;
  private readonly ownership: Ownership;

  constructor(
    private readonly dispatcher: AlertDispatcher,
    private readonly config: ServerConfig,
    private readonly clock: Clock,
    storage: StorageHealth,
    metrics: MetricsService,
    @Optional() ownership?: Ownership,
  ) {
    this.ownership = ownership ?? new SoleOwnership();
    this.flaps = new FlapDetector(config.alerting.flapping_high, config.alerting.flapping_low);
    this.unqueued = new BatchWriter({
      name: 'alerts to queue',
      flushIntervalMs: 0,
      maxBatchSize: 1,
      maxPending: 10_000,
      logger: this.logger,
      write: async ([{ event, channels, fence }]) => void (await this.queueUnlessTakenOver(event, channels, fence)),
      storage,
      metrics: writeQueueMetrics(metrics, 'alerts', () => this.unqueued.pendingCount),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.unqueued.close().catch((error: Error) => this.logger.error(`alerts left unqueued at shutdown: ${error.message}`));
  }

  @OnPulseEvent('alarm.state-changed')
  async onAlarmStateChanged(change: AlarmStateChanged): Promise<void> {
    await this.dispatch(alarmEvent(change, consoleLink(this.config, `alarms/${encodeURIComponent(change.name)}`)), change.alerts);
  }

  @OnPulseEvent('monitor.evaluated')
  onMonitorEvaluated({ monitorId, state, at }: MonitorEvaluated): void {
    const observation = this.flaps.observe(`monitor:${monitorId}`, state);
    if (!observation.stopped) return;
    const flapping = this.flapping.get(monitorId);
    this.flapping.delete(monitorId);
    if (!flapping) return;
    const event = {
      ...monitorAlertEvent(flapping.last, this.monitorLink(monitorId)),
      fromState: 'flapping',
      toState: state,
      recovered: state === 'up',
      at,
    };
    event.message = `stopped flapping (${observation.percent.toFixed(0)}% state change over the last ${FLAP_HISTORY} checks); it is ${state} now`;
    void this.dispatch(event, flapping.alerts);
  }

  @OnPulseEvent('monitor.state-changed')
  async onMonitorStateChanged(change: MonitorStateChanged): Promise<void> {
    if (!isAlertable(change.from, change.to)) return;
    const event = monitorAlertEvent(change, this.monitorLink(change.monitorId));
    if (!this.flaps.isFlapping(`monitor:${change.monitorId}`)) {
      await this.dispatch(event, change.alerts);
      return;
    }
    const known = this.flapping.get(change.monitorId);
    this.flapping.set(change.monitorId, { last: change, alerts: change.alerts });
    if (known) return; // already said it is flapping: this change is suppressed
    this.logger.log(`monitor ${change.monitorId} "${change.name}" is flapping: alerts paused until it settles`);
    await this.dispatch(
      {
        ...event,
        toState: 'flapping',
        recovered: false,
        message: `is flapping between states (last: ${change.from} → ${change.to}, ${change.message}); alerts are paused until it settles`,
      },
      change.alerts,
    );
  }

  /** An agent turned warning or down, or recovered: through its channels, or the defaults. */
  @OnPulseEvent('agent.state-changed')
  async onAgentStateChanged(change: AgentStateChanged): Promise<void> {
    if (!isAgentAlertable(change.from, change.to)) return;
    await this.dispatch(agentAlertEvent(change, consoleLink(this.config, `agents/${change.agentId}`)), change.alerts);
  }

  /** A poller went offline (its sources turn unknown) or came back: through its channels, or the defaults. */
  @OnPulseEvent('poller.state-changed')
  async onPollerStateChanged(change: PollerStateChanged): Promise<void> {
    await this.dispatch(pollerAlertEvent(change, consoleLink(this.config, `pollers/${change.pollerId}`)), change.alerts);
  }

  /** Monitor ids currently flapping (for views and tests). */
  flappingMonitors(): number[] {
    return [...this.flapping.keys()];
  }

  private monitorLink(monitorId: number): string | null {
    return consoleLink(this.config, `monitors/${monitorId}`);
  }

  private async dispatch(event: AlertEvent, channels: string[]): Promise<void> {
    // Handlers run as the change is decided: the lease it is decided under is this server's now.
    const fence = this.ownership.fenceOf(decisionKey(event));
    if (this.ownership.clustered && !fence) {
      this.logger.warn(`no alert for ${event.kind} "${event.name}" (${event.fromState} → ${event.toState}): another server decides it now`);
      return;
    }
    // Behind alerts still waiting for the database: wait with them, in order.
    if (!this.unqueued.idle) {
      this.unqueued.push({ event, channels, fence });
      return;
    }
    try {
      await this.queueUnlessTakenOver(event, channels, fence);
    } catch (error) {
      if (storageFailureOf(error) && this.unqueued.push({ event, channels, fence })) {
        this.logger.warn(`the alert for ${event.kind} "${event.name}" waits in memory until the database takes writes again`);
        return;
      }
      this.logger.error(
        `could not queue the alert for ${event.kind} "${event.name}" (${event.fromState} → ${event.toState}) at ${new Date(this.clock.now()).toISOString()}: ${(error as Error).message}`,
      );
    }
  }

  /** Queues the alert; one whose lease another server has taken since is dropped (that server judges it from the database). */
  private async queueUnlessTakenOver(event: AlertEvent, channels: string[], fence: Fence | null): Promise<void> {
    try {
      await this.dispatcher.dispatch(event, channels, fence);
    } catch (error) {
      if (!(error instanceof FenceLost)) throw error;
      this.logger.warn(
        `the alert for ${event.kind} "${event.name}" (${event.fromState} → ${event.toState}) is left to the server that took over: ${error.message}`,
      );
    }
  }
}

/** The work key of what an alert is about: whose lease decides it. */
function decisionKey(event: AlertEvent): string {
  if (event.kind === 'monitor') return workKey.monitor(Number(event.id));
  if (event.kind === 'alarm') return workKey.alarm(event.id);
  if (event.kind === 'poller') return workKey.poller(Number(event.id));
  if (event.kind === 'agent') return workKey.agent(Number(event.id));
  return `${event.kind}:${event.id}`;
}

export function alarmEvent(change: AlarmStateChanged, url: string | null): AlertEvent {
  const failed = change.failedServices;
  const listed =
    failed.slice(0, LISTED_SERVICES).join(', ') + (failed.length > LISTED_SERVICES ? ` and ${failed.length - LISTED_SERVICES} more` : '');
  return {
    kind: 'alarm',
    id: change.name,
    name: change.name,
    fromState: change.from,
    toState: change.to,
    recovered: change.to === 'ok',
    incidentNumber: change.incidentNbr,
    message: failed.length > 0 ? `${failed.length} service(s) in error: ${listed}` : 'every service is ok',
    url,
    at: change.at,
    since: change.since,
  };
}
