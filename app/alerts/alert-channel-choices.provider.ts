import { Injectable } from '@nestjs/common';
import { AlertChannelChoices, type AlertChannelChoice } from '../alarms/alert-channel-choices.js';
import { AlertChannelsService } from './alert-channels.service.js';

/** The alarm form's channels: every channel, by name, default ones marked. */
@Injectable()
export class AlertChannelChoicesProvider extends AlertChannelChoices {
  constructor(private readonly channels: AlertChannelsService) {
    super();
  }

  async list(): Promise<AlertChannelChoice[]> {
    return (await this.channels.list()).map((channel) => ({ name: channel.name, isDefault: channel.isDefault }));
  }
}
