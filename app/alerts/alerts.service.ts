import { Injectable } from '@nestjs/common';
import { ServerConfig } from '../config/config.schema.js';
import { consoleLink } from '../http/console-link.js';
import { Clock } from '../runtime/clock.js';
import { AlertChannelsService, type ChannelInput } from './alert-channels.service.js';
import { AlertDispatcher } from './alert-dispatcher.service.js';
import { AlertQueueService } from './alert-queue.service.js';
import { AlertsQuery, type AlertChannelView } from './alerts.query.js';
import type { DeliveryView } from './alert.dto.js';

const TEST_WAIT_MS = 15_000;

/** What the alerts API changes: channels (answered as the AlertsQuery shows them) and test sends. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly channels: AlertChannelsService,
    private readonly query: AlertsQuery,
    private readonly dispatcher: AlertDispatcher,
    private readonly queue: AlertQueueService,
    private readonly config: ServerConfig,
    private readonly clock: Clock,
  ) {}

  async create(input: ChannelInput): Promise<AlertChannelView> {
    return this.query.view(await this.channels.create(input));
  }

  async update(name: string, input: ChannelInput): Promise<AlertChannelView> {
    return this.query.view(await this.channels.update(name, input));
  }

  async remove(name: string): Promise<AlertChannelView> {
    const channel = await this.channels.get(name);
    await this.channels.remove(name);
    return this.query.view(channel);
  }

  /** Sends a test message through every target of the channel and waits (up to 15 s) for the outcome. */
  async test(name: string): Promise<{ deliveries: DeliveryView[] }> {
    const channel = await this.channels.get(name);
    const now = this.clock.now();
    const created = await this.dispatcher.sendTest(channel, {
      kind: 'test',
      id: channel.name,
      name: channel.name,
      fromState: 'ok',
      toState: 'ok',
      recovered: false,
      incidentNumber: null,
      message: `This is a test message from LILLYDOO Pulse for the alert channel "${channel.name}": if you can read it, the channel works.`,
      url: consoleLink(this.config, 'alerts'),
      at: now,
      since: null,
    });
    const settled = await this.queue.settle(
      created.map((delivery) => delivery.id),
      TEST_WAIT_MS,
    );
    return { deliveries: await this.query.deliveryViews(settled) };
  }
}
