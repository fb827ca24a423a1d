import { IsString, Matches } from 'class-validator';

/** Core fills `webhook_url` from the server-wide `[slack]` section (the alerter owns it); a channel names the Slack channel. */
export class SlackConfig {
  /** Lovebeat's `slack_channel = "#ops"`; empty posts to the webhook's own channel. */
  @Matches(/^$|^[#@]?[\w.-]{1,80}$/, { message: 'must be a channel like "#ops" (or empty for the webhook default)' })
  @IsString({ message: 'must be a string' })
  channel = '';

  /** The incoming-webhook URL from Slack. */
  @Matches(/^https?:\/\/\S+$/, { message: 'must be the incoming-webhook URL Slack gave you' })
  @IsString({ message: 'must be a string' })
  webhook_url = '';

  @IsString({ message: 'must be a string' }) username = 'LILLYDOO Pulse';
}
