import type { AlertChannelConfig, PulseConfig } from '../config/config.schema.js';

/** One alerter a channel delivers through, with the channel's own settings for it. */
export interface ChannelTarget {
  /** Alerter plugin id. */
  type: string;
  settings: Record<string, unknown>;
}

export interface AlertChannel {
  name: string;
  /** `config`: [alerts.NAME] in the file (read-only through the API); `api`: made with POST /api/alerts. */
  source: 'config' | 'api';
  isDefault: boolean;
  targets: ChannelTarget[];
}

export function targetKey(channel: string, type: string): string {
  return `${channel}/${type}`;
}

/**
 * A Lovebeat `[alerts.NAME]` table can name several ways at once (`mail`, `webhook`, `slack_channel`,
 * `script`, plus Pulse's `snmp_trap` keys); each becomes one target with that alerter's settings. Pulse's
 * `type` names any alerter plugin (a drop-in's too) with `options` as its settings, alongside those.
 */
export function targetsFromConfig(channel: AlertChannelConfig): ChannelTarget[] {
  const targets: ChannelTarget[] = [];
  if (channel.type) targets.push({ type: channel.type, settings: { ...channel.options } });
  if (channel.mail) targets.push({ type: 'mail', settings: { to: channel.mail } });
  if (channel.webhook) targets.push({ type: 'webhook', settings: { url: channel.webhook } });
  if (channel.slack_channel) targets.push({ type: 'slack', settings: { channel: channel.slack_channel } });
  if (channel.script) targets.push({ type: 'script', settings: { path: channel.script } });
  if (channel.snmp_trap) {
    targets.push({
      type: 'snmp-trap',
      settings: {
        target: channel.snmp_trap,
        version: channel.snmp_version,
        community: channel.snmp_community,
        user: channel.snmp_user,
        auth_protocol: channel.snmp_auth_protocol,
        auth_key: channel.snmp_auth_key,
        priv_protocol: channel.snmp_priv_protocol,
        priv_key: channel.snmp_priv_key,
        engine_id: channel.snmp_engine_id,
      },
    });
  }
  return targets;
}

/**
 * What each alerter starts from before a channel's own settings: Lovebeat's server-wide `[mail]`,
 * `[mailgun]` and `[slack]` sections. Alerters not listed here take their settings from the channel only.
 */
export function serverWideSettings(type: string, config: PulseConfig): Record<string, unknown> {
  switch (type) {
    case 'mail':
      return {
        server: config.mail.server,
        from: config.mailgun.domain ? config.mailgun.from || config.mail.from : config.mail.from,
        username: config.mail.username,
        password: config.mail.password,
        starttls: config.mail.starttls,
        tls: config.mail.tls,
        ignore_tls_errors: config.mail.ignore_tls_errors,
        mailgun_domain: config.mailgun.domain,
        mailgun_api_key: config.mailgun.api_key,
        mailgun_url: config.mailgun.url,
      };
    case 'slack':
      return config.slack.webhook_url ? { webhook_url: config.slack.webhook_url } : {};
    default:
      return {};
  }
}
