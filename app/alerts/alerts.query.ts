import { Injectable } from '@nestjs/common';
import { ServerConfig } from '../config/config.schema.js';
import { pageOf, pageOffset, type Page, type PageRequest } from '../http/paging.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { AlertChannelsService } from './alert-channels.service.js';
import type { AlertDelivery } from './alert-delivery.entity.js';
import { AlertDeliveryRepository, type DeliveryFilter } from './alert-delivery.repository.js';
import { deliveryView, type DeliveryView } from './alert.dto.js';
import { AlertFileConfig } from './alert-file-config.js';
import { alertsKeyIsSecret } from './alert-file-secrets.js';
import type { AlertChannel } from './channel-targets.js';

/** An alert channel as the API and the console show it: its targets' settings with secrets as `********`. */
export interface AlertChannelView {
  name: string;
  /** `config`: `[alerts.NAME]` in the file (read-only); `api`: made through the API. */
  source: 'config' | 'api';
  default: boolean;
  targets: { type: string; settings: Record<string, unknown> }[];
}

/** The alerting part of the config file as the Settings page shows it (values unmasked: the page masks what `isSecret` says). */
export interface AlertingFileView {
  /** The alerters' own sections (`[mail]`), every key as the server runs with it. */
  sections: { name: string; owner: string; values: Readonly<Record<string, unknown>> }[];
  /** Whether a key path (`alerts.ops.options.token`, `mail.password`) holds a secret for the alerter that reads it. */
  isSecret(keyPath: string): boolean;
}

export interface ChannelFilter {
  /** Text in the name, any case. */
  q?: string;
  /** Channels with a target of this alerter. */
  type?: string;
  source?: 'config' | 'api';
}

/**
 * Alert channels and the delivery log as the API and the console read them: channels in name order,
 * filtered and paged (the file's and the API's together); deliveries newest first, paged in the database.
 */
@Injectable()
export class AlertsQuery {
  constructor(
    private readonly channels: AlertChannelsService,
    private readonly deliveries: AlertDeliveryRepository,
    private readonly fileConfig: AlertFileConfig,
    private readonly config: ServerConfig,
    private readonly plugins: PluginRegistry,
  ) {}

  async list(filter: ChannelFilter, request: PageRequest): Promise<Page<AlertChannelView>> {
    const text = filter.q?.trim().toLowerCase();
    const matching = (await this.channels.list()).filter(
      (channel) =>
        (!text || channel.name.toLowerCase().includes(text)) &&
        (!filter.type || channel.targets.some((target) => target.type === filter.type)) &&
        (!filter.source || channel.source === filter.source),
    );
    const page = pageOf(matching, request);
    return { ...page, items: page.items.map((channel) => this.view(channel)) };
  }

  /** 404 when there is no channel of that name. */
  async get(name: string): Promise<AlertChannelView> {
    return this.view(await this.channels.get(name));
  }

  view(channel: AlertChannel): AlertChannelView {
    return {
      name: channel.name,
      source: channel.source,
      default: channel.isDefault,
      targets: channel.targets.map((target) => ({ type: target.type, settings: this.channels.masked(target) })),
    };
  }

  /** The delivery log, newest first, each delivery with its event and attempts. */
  async deliveryLog(filter: DeliveryFilter, request: PageRequest & { perPage: number }): Promise<Page<DeliveryView>> {
    const [deliveries, total] = await Promise.all([
      this.deliveries.list({ ...filter, offset: pageOffset(request), limit: request.perPage }),
      this.deliveries.count(filter),
    ]);
    return { items: await this.deliveryViews(deliveries), page: request.page, perPage: request.perPage, total };
  }

  /** These deliveries (as the queue settled them) with their attempts. */
  async deliveryViews(deliveries: AlertDelivery[]): Promise<DeliveryView[]> {
    const attempts = await this.deliveries.attemptsOf(deliveries.map((delivery) => delivery.id));
    return deliveries.map((delivery) =>
      deliveryView(
        delivery,
        attempts.filter((attempt) => attempt.deliveryId === delivery.id),
      ),
    );
  }

  /** `[alerts.NAME]` and the alerters' sections as the file has them, with what decides which values are secrets. */
  fileSettings(): AlertingFileView {
    const alerters = this.plugins.alerters().map((alerter) => ({ id: alerter.id, meta: alerter.meta }));
    const sections = [...this.fileConfig.sections].map(([name, section]) => ({
      name,
      owner: `the ${this.plugins.alerter(section.alerter)?.meta.title ?? section.alerter} alerter`,
      values: section.values,
      secretKeys: section.secretKeys,
    }));
    return {
      sections: sections.map(({ name, owner, values }) => ({ name, owner, values })),
      isSecret: (keyPath) => {
        const [first, key] = keyPath.split('.');
        const section = sections.find((candidate) => candidate.name === first);
        if (section) return key !== undefined && section.secretKeys.includes(key);
        return alertsKeyIsSecret(keyPath, this.config.alerts, alerters);
      },
    };
  }
}
