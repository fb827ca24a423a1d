import { Injectable } from '@nestjs/common';
import { AlertChannelChoices, type AlertChannelChoice } from '../alarms/alert-channel-choices.js';
import { AlertsQuery } from './alerts.query.js';

/** The alarm form's channels: every channel, by name, default ones marked. */
@Injectable()
export class AlertChannelChoicesProvider extends AlertChannelChoices {
  constructor(private readonly query: AlertsQuery) {
    super();
  }

  async list(): Promise<AlertChannelChoice[]> {
    const { items } = await this.query.list({}, { page: 1, perPage: null });
    return items.map((channel) => ({ name: channel.name, isDefault: channel.default }));
  }
}
