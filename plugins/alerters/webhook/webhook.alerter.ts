import { Injectable } from '@nestjs/common';
import {
  Alerter,
  cleanLine,
  PluginError,
  postForAlert,
  type AlertEvent,
  type AlerterPlugin,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { WebhookConfig } from './webhook.config.js';
import { webhookForm } from './webhook.form.js';

export interface WebhookMessage {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'user-agent', 'x-lovebeat']);

/**
 * A JSON POST. Alarms keep Lovebeat's body exactly ({"name","from_state","to_state","incident_number"}),
 * so existing Lovebeat receivers keep working; monitor, agent and poller events add kind, id, message,
 * sources and url.
 */
@Alerter({
  id: 'webhook',
  title: 'Webhook',
  config: WebhookConfig,
  example: { url: 'https://hooks.example.com/pulse', headers: { Authorization: 'Bearer example' } },
  form: webhookForm,
  // Header values carry credentials (Authorization, API keys): each is masked in every view.
  secrets: ['headers'],
  // Lovebeat's `[alerts.NAME] webhook = "URL"`; headers go in an [alerts.NAME.webhook] table.
  file: { key: 'webhook', option: 'url' },
})
@Injectable()
export class WebhookAlerter implements AlerterPlugin<WebhookConfig, WebhookMessage> {
  render(event: AlertEvent, config: WebhookConfig): WebhookMessage {
    return {
      url: config.url,
      headers: {
        ...extraHeaders(config.headers),
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'LILLYDOO-Pulse',
        'x-lovebeat': '1',
      },
      body: JSON.stringify(webhookBody(event)),
    };
  }

  send(message: WebhookMessage, _config: WebhookConfig, context: PluginContext): Promise<void> {
    return postForAlert(message.url, message.body, message.headers, context, `webhook ${new URL(message.url).host}`);
  }
}

export function webhookBody(event: AlertEvent): Record<string, unknown> {
  const lovebeat = {
    name: event.name,
    from_state: event.fromState.toLowerCase(),
    to_state: event.toState.toLowerCase(),
    incident_number: event.incidentNumber ?? 0,
  };
  if (event.kind === 'alarm') return lovebeat;
  return {
    ...lovebeat,
    kind: event.kind,
    id: event.id,
    message: event.message,
    sources: event.sources ?? [],
    url: event.url,
    at: new Date(event.at).toISOString(),
    ...(event.kind === 'digest' ? { events: (event.events ?? []).map(webhookBody) } : {}),
  };
}

function extraHeaders(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string')
      throw new PluginError(`webhook header ${JSON.stringify(name)} is not a valid header`, false);
    if (!RESERVED_HEADERS.has(name.toLowerCase())) result[name] = cleanLine(value, 4096);
  }
  return result;
}
