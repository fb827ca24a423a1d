import { defineForm } from '../../../app/plugin-host/index.js';
import { SlackConfig } from './slack.config.js';

/** A Slack channel's settings as a form; the webhook URL is a secret and follows [slack] unless set. */
export const slackForm = defineForm(SlackConfig, [
  { name: 'channel', type: 'text', label: 'Slack channel', help: 'Empty: the webhook’s own channel.', placeholder: '#ops' },
  { name: 'webhook_url', type: 'secret', label: 'Incoming-webhook URL', inherits: '[slack] webhook_url' },
  { name: 'username', type: 'text', label: 'Post as' },
]);
