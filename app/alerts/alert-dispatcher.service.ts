import { Injectable, Logger } from '@nestjs/common';
import { AlertingSection } from '../config/config.schema.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import { Clock } from '../runtime/clock.js';
import type { AlertDelivery } from './alert-delivery.entity.js';
import { AlertDeliveryRepository, type NewDelivery } from './alert-delivery.repository.js';
import { AlertChannelsService } from './alert-channels.service.js';
import { AlertQueueService } from './alert-queue.service.js';
import { targetKey, type AlertChannel } from './channel-targets.js';
import { StormWindow } from './storm-window.js';

/**
 * Turns an event into queued deliveries: one per target of each channel it goes to. During a storm
 * (more than `storm_threshold` alerts for a channel within `storm_window_seconds`) further alerts are held
 * and go out as one digest when the window has passed.
 */
@Injectable()
export class AlertDispatcher {
  private readonly logger = new Logger('Alerts');
  private readonly storm: StormWindow;

  constructor(
    private readonly channels: AlertChannelsService,
    private readonly repository: AlertDeliveryRepository,
    private readonly queue: AlertQueueService,
    private readonly clock: Clock,
    alerting: AlertingSection,
  ) {
    this.storm = new StormWindow(alerting.storm_threshold, alerting.storm_window_seconds * 1000);
  }

  /** Queues `event` for the named channels (or the default channels when none is named). */
  async dispatch(event: AlertEvent, channelNames: readonly string[]): Promise<AlertDelivery[]> {
    const channels = await this.channels.resolve(channelNames);
    return this.enqueue(event, channels, true);
  }

  /** POST /api/alerts/<name>/test: straight to the channel, never held for a digest. */
  async sendTest(channel: AlertChannel, event: AlertEvent): Promise<AlertDelivery[]> {
    return this.enqueue(event, [channel], false);
  }

  private async enqueue(event: AlertEvent, channels: AlertChannel[], stormControl: boolean): Promise<AlertDelivery[]> {
    const now = this.clock.now();
    const rows: NewDelivery[] = [];
    for (const channel of channels) {
      const held = stormControl && this.storm.hold(channel.name, now);
      for (const target of channel.targets) {
        rows.push({
          channel: channel.name,
          targetType: target.type,
          targetKey: targetKey(channel.name, target.type),
          event: JSON.stringify(event),
          status: held ? 'held' : 'pending',
        });
      }
    }
    const created = await this.repository.enqueue(rows, now);
    if (created.length > 0)
      this.logger.debug(`queued ${created.length} alert(s) for ${event.kind} "${event.name}" ${event.fromState} → ${event.toState}`);
    this.queue.wake(created.filter((row) => row.status === 'pending').map((row) => row.targetKey));
    this.queue.noteHeld(created.filter((row) => row.status === 'held'));
    return created;
  }
}
