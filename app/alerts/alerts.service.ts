import { Injectable } from '@nestjs/common';
import { PulseConfig } from '../config/config.schema.js';
import { consoleLink } from '../http/console-link.js';
import { Clock } from '../runtime/clock.js';
import { AlertDeliveryRepository } from './alert-delivery.repository.js';
import { AlertChannelsService, type ChannelInput } from './alert-channels.service.js';
import { AlertDispatcher } from './alert-dispatcher.service.js';
import { AlertQueueService } from './alert-queue.service.js';
import { deliveryView, type DeliveriesQuery } from './alert.dto.js';
import type { AlertChannel } from './channel-targets.js';

const TEST_WAIT_MS = 15_000;

/** What the alerts API does: channel views with secrets masked, test sends, the delivery log. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly channels: AlertChannelsService,
    private readonly dispatcher: AlertDispatcher,
    private readonly queue: AlertQueueService,
    private readonly deliveries: AlertDeliveryRepository,
    private readonly config: PulseConfig,
    private readonly clock: Clock,
  ) {}

  view(channel: AlertChannel) {
    return {
      name: channel.name,
      source: channel.source,
      default: channel.isDefault,
      targets: channel.targets.map((target) => ({ type: target.type, settings: this.channels.masked(target) })),
    };
  }

  async list() {
    return { alerts: (await this.channels.list()).map((channel) => this.view(channel)) };
  }

  async get(name: string) {
    return this.view(await this.channels.get(name));
  }

  async create(input: ChannelInput) {
    return this.view(await this.channels.create(input));
  }

  async update(name: string, input: ChannelInput) {
    return this.view(await this.channels.update(name, input));
  }

  async remove(name: string) {
    const channel = await this.channels.get(name);
    await this.channels.remove(name);
    return this.view(channel);
  }

  /** Sends a test message through every target of the channel and waits (up to 15 s) for the outcome. */
  async test(name: string) {
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
    const attempts = await this.deliveries.attemptsOf(settled.map((delivery) => delivery.id));
    return {
      deliveries: settled.map((delivery) =>
        deliveryView(
          delivery,
          attempts.filter((attempt) => attempt.deliveryId === delivery.id),
        ),
      ),
    };
  }

  async log(query: DeliveriesQuery) {
    const rows = await this.deliveries.list({
      channel: query.channel,
      status: query.status,
      beforeId: query.before,
      limit: query.limit ?? 100,
    });
    const attempts = await this.deliveries.attemptsOf(rows.map((row) => row.id));
    return {
      deliveries: rows.map((row) =>
        deliveryView(
          row,
          attempts.filter((attempt) => attempt.deliveryId === row.id),
        ),
      ),
    };
  }
}
