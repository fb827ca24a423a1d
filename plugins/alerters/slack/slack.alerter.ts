import { Injectable } from '@nestjs/common';
import {
  Alerter,
  alertHeadline,
  cleanLine,
  eventLines,
  postForAlert,
  type AlertEvent,
  type AlerterPlugin,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { SlackConfig } from './slack.config.js';
import { slackForm } from './slack.form.js';

export interface SlackMessage {
  webhookUrl: string;
  payload: Record<string, unknown>;
}

/** Slack's mrkdwn control characters; escaping them keeps `<!channel>` or `<url|text>` in a name inert. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function colour(event: AlertEvent): string {
  if (event.kind === 'digest' || event.kind === 'test') return '#439FE0';
  if (event.recovered) return 'good';
  return ['warning', 'flapping'].includes(event.toState.toLowerCase()) ? 'warning' : 'danger';
}

/** An incoming-webhook message: colour, title, reason, per-source fields, link. */
@Alerter({
  id: 'slack',
  title: 'Slack',
  config: SlackConfig,
  example: { channel: '#ops', webhook_url: 'https://hooks.slack.com/services/T000/B000/XXXX' },
  secrets: ['webhook_url'],
  form: slackForm,
  // Lovebeat's `[alerts.NAME] slack_channel = "#ops"` and its server-wide `[slack] webhook_url`.
  file: { key: 'slack_channel', option: 'channel', sections: { slack: { webhook_url: 'webhook_url' } } },
})
@Injectable()
export class SlackAlerter implements AlerterPlugin<SlackConfig, SlackMessage> {
  render(event: AlertEvent, config: SlackConfig): SlackMessage {
    const title = escapeMrkdwn(alertHeadline(event));
    const details =
      event.kind === 'digest' ? eventLines(event).slice(2) : [event.message ? `Reason: ${cleanLine(event.message, 500)}` : ''];
    const attachment: Record<string, unknown> = {
      fallback: title,
      color: colour(event),
      title,
      text: escapeMrkdwn(details.filter(Boolean).join('\n')),
      fields: (event.sources ?? []).map((source) => ({
        title: escapeMrkdwn(cleanLine(source.name, 60)),
        value: escapeMrkdwn(`${cleanLine(source.status, 16)}${source.message ? ` — ${cleanLine(source.message)}` : ''}`),
        short: true,
      })),
      footer: event.incidentNumber !== null ? `LILLYDOO Pulse · incident #${event.incidentNumber}` : 'LILLYDOO Pulse',
      ts: Math.floor(event.at / 1000),
    };
    if (event.url) attachment.title_link = event.url;
    const payload: Record<string, unknown> = { username: config.username, text: title, attachments: [attachment] };
    if (config.channel) payload.channel = config.channel;
    return { webhookUrl: config.webhook_url, payload };
  }

  send(message: SlackMessage, _config: SlackConfig, context: PluginContext): Promise<void> {
    return postForAlert(
      message.webhookUrl,
      JSON.stringify(message.payload),
      { 'content-type': 'application/json', 'user-agent': 'LILLYDOO-Pulse' },
      context,
      'Slack',
    );
  }
}
