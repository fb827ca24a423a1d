import { Injectable, Logger } from '@nestjs/common';
import { AlertDispatcher } from '../alerts/alert-dispatcher.service.js';
import { PulseConfig } from '../config/config.schema.js';
import { OnPulseEvent } from '../events/pulse-events.js';
import { consoleLink } from '../http/console-link.js';
import { formatTime } from '../plugin-host/alert-text.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import type { PollerStateChanged } from './poller.events.js';

/** A poller's offline / back-online change as the alert people get (`poller <name> offline`). */
export function pollerAlertEvent(change: PollerStateChanged, url: string | null): AlertEvent {
  const name = `poller ${change.name}`;
  const offline = change.to === 'offline';
  const lastSeen = change.lastSeenAt === null ? 'it registered' : formatTime(change.lastSeenAt);
  return {
    kind: 'poller',
    id: String(change.pollerId),
    name,
    fromState: change.from,
    toState: change.to,
    recovered: !offline,
    incidentNumber: null,
    message: offline
      ? `${name} offline: not heard from since ${lastSeen} (more than 90 s); the monitors it checks show its source as unknown`
      : `${name} back online${change.since === null ? '' : ` after ${Math.max(1, Math.round((change.at - change.since) / 60_000))} min`}`,
    url,
    at: change.at,
    since: change.since,
  };
}

/** Sends poller state changes through the poller's alert channels, or the default ones. */
@Injectable()
export class PollerAlertsListener {
  private readonly logger = new Logger('Alerts');

  constructor(
    private readonly dispatcher: AlertDispatcher,
    private readonly config: PulseConfig,
  ) {}

  @OnPulseEvent('poller.state-changed')
  async onPollerStateChanged(change: PollerStateChanged): Promise<void> {
    try {
      await this.dispatcher.dispatch(pollerAlertEvent(change, consoleLink(this.config, `pollers/${change.pollerId}`)), change.alerts);
    } catch (error) {
      this.logger.error(
        `could not queue the alert for poller ${change.pollerId} "${change.name}" ${change.from} → ${change.to}: ${(error as Error).message}`,
      );
    }
  }
}
