import { Injectable } from '@nestjs/common';
import { PulseConfig } from '../config/config.schema.js';
import { OnPulseEvent } from '../events/pulse-events.js';
import type { AlarmStateChanged } from '../heartbeats/heartbeat.events.js';
import { consoleLink } from '../http/console-link.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import { AlertDispatcher } from './alert-dispatcher.service.js';

const LISTED_SERVICES = 10;

/** Which state changes become alerts, and in what words. */
@Injectable()
export class AlertRoutingService {
  constructor(
    private readonly dispatcher: AlertDispatcher,
    private readonly config: PulseConfig,
  ) {}

  /** Heartbeat alarms alert on ok → error and back, as Lovebeat does. */
  @OnPulseEvent('alarm.state-changed')
  async onAlarmStateChanged(change: AlarmStateChanged): Promise<void> {
    await this.dispatcher.dispatch(alarmEvent(change, consoleLink(this.config, `alarms/${encodeURIComponent(change.name)}`)), change.alerts);
  }
}

export function alarmEvent(change: AlarmStateChanged, url: string | null): AlertEvent {
  const failed = change.failedServices;
  const listed = failed.slice(0, LISTED_SERVICES).join(', ') + (failed.length > LISTED_SERVICES ? ` and ${failed.length - LISTED_SERVICES} more` : '');
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
