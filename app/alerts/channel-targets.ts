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
