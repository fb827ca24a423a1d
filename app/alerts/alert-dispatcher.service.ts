import { Injectable, Logger, Optional } from '@nestjs/common';
import { Ownership, SoleOwnership, type Fence } from '../cluster/ownership.js';
import { AlertingSection } from '../config/config.schema.js';
import { EventBus } from '../events/pulse-events.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import { Clock } from '../runtime/clock.js';
import type { AlertDelivery } from './alert-delivery.entity.js';
import { AlertDeliveryRepository, type NewDelivery } from './alert-delivery.repository.js';
import { AlertChannelsService } from './alert-channels.service.js';
import { AlertQueueService } from './alert-queue.service.js';
import { targetKey, type AlertChannel } from './channel-targets.js';
import { alertEventKey } from './event-key.js';
import { StormWindow } from './storm-window.js';
import './alert.events.js';

/**
 * Turns an event into queued deliveries: one per target of each channel it goes to. During a storm
 * (more than `storm_threshold` alerts for a channel within `storm_window_seconds`) further alerts are held
 * and go out as one digest when the window has passed.
 */
@Injectable()
export class AlertDispatcher {
  private readonly logger = new Logger('Alerts');
  private readonly storm: StormWindow;
  private readonly ownership: Ownership;

  constructor(
    private readonly channels: AlertChannelsService,
    private readonly repository: AlertDeliveryRepository,
    private readonly queue: AlertQueueService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly alerting: AlertingSection,
    @Optional() ownership?: Ownership,
  ) {
    this.storm = new StormWindow(alerting.storm_threshold, alerting.storm_window_seconds * 1000);
    this.ownership = ownership ?? new SoleOwnership();
  }

  /**
   * Queues `event` for the named channels (or the default channels when none is named). `fence`: the lease
   * the change was decided under (several servers): queued only while no other server has taken it over.
   */
  async dispatch(event: AlertEvent, channelNames: readonly string[], fence: Fence | null = null): Promise<AlertDelivery[]> {
    const channels = await this.channels.resolve(channelNames);
    if (this.ownership.clustered) return this.enqueueShared(event, channels, fence);
    return this.enqueue(event, channels, true);
  }

  /** POST /api/alerts/<name>/test: straight to the channel, never held for a digest. */
  async sendTest(channel: AlertChannel, event: AlertEvent): Promise<AlertDelivery[]> {
    return this.enqueue(event, [channel], false);
  }

  /** Several servers: storms counted over all of them, the lease checked, each change queued once (AlertDeliveryRepository.enqueueShared). */
  private async enqueueShared(event: AlertEvent, channels: AlertChannel[], fence: Fence | null): Promise<AlertDelivery[]> {
    const created = await this.repository.enqueueShared({
      channels: channels.map((channel) => ({
        name: channel.name,
        targets: channel.targets.map((target) => ({ type: target.type, key: targetKey(channel.name, target.type) })),
      })),
      event: JSON.stringify(event),
      eventKey: alertEventKey(event),
      now: this.clock.now(),
      storm: { threshold: this.alerting.storm_threshold, windowMs: this.alerting.storm_window_seconds * 1000 },
      fence: async (manager) => {
        if (fence) await this.ownership.assertFence(manager, fence);
      },
    });
    this.queued(event, created);
    return created;
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
    this.queued(event, created);
    return created;
  }

  private queued(event: AlertEvent, created: AlertDelivery[]): void {
    if (created.length > 0)
      this.logger.debug(`queued ${created.length} alert(s) for ${event.kind} "${event.name}" ${event.fromState} → ${event.toState}`);
    for (const row of created) this.events.emit('alert.delivery-changed', { id: row.id, channel: row.channel, status: row.status });
    this.queue.wake(created.filter((row) => row.status === 'pending').map((row) => row.targetKey));
    this.queue.noteHeld(created.filter((row) => row.status === 'held'));
  }
}
