import {
  Alerter,
  alertHeadline,
  eventLines,
  postForAlert,
  type AlertEvent,
  type AlerterPlugin,
  type PluginContext,
} from '@lillydoo-pulse/plugin-sdk';
import { NtfyConfig } from './ntfy.config.js';
import { ntfyForm } from './ntfy.form.js';

/** What one event becomes: ntfy's JSON publishing format (https://docs.ntfy.sh/publish/#publish-as-json). */
export interface NtfyMessage {
  topic: string;
  title: string;
  message: string;
  /** ntfy's 1 (min) to 5 (urgent). */
  priority: number;
  tags: string[];
  click?: string;
}

const PRIORITY_NUMBERS = { min: 1, low: 2, default: 3, high: 4, urgent: 5 } as const;

/**
 * Posts each alert to an ntfy server as JSON (so names in any script survive; ntfy's headers take
 * ASCII only). render() is pure; send() delivers and says whether a failure is worth a retry — Pulse
 * retries, the plugin never does.
 */
@Alerter({
  id: 'ntfy',
  title: 'ntfy push',
  config: NtfyConfig,
  example: { server: 'https://ntfy.sh', topic: 'pulse-ops', token: 'tk_example', priority: 'high' },
  secrets: ['token'],
  form: ntfyForm,
})
export class NtfyAlerter implements AlerterPlugin<NtfyConfig, NtfyMessage> {
  render(event: AlertEvent, config: NtfyConfig): NtfyMessage {
    const problem = !event.recovered && event.kind !== 'test';
    return {
      topic: config.topic,
      title: alertHeadline(event),
      message: eventLines(event).join('\n'),
      priority: problem ? PRIORITY_NUMBERS[config.priority] : PRIORITY_NUMBERS.default,
      tags: [event.kind === 'test' ? 'test_tube' : event.recovered ? 'white_check_mark' : 'rotating_light'],
      ...(event.url ? { click: event.url } : {}),
    };
  }

  send(message: NtfyMessage, config: NtfyConfig, context: PluginContext): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'LILLYDOO-Pulse-ntfy' };
    if (config.token !== '') headers.authorization = `Bearer ${config.token}`;
    // JSON goes to the server's root; the topic is in the body.
    const url = `${config.server.replace(/\/+$/, '')}/`;
    return postForAlert(url, JSON.stringify(message), headers, context, `ntfy server ${new URL(url).host}`);
  }
}
