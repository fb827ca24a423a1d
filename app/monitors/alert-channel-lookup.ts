/**
 * What monitors need to know about alert channels: whether one exists, so a monitor never names a
 * channel an alert would silently miss, and which there are, for the monitor form's choice. The alerts
 * feature provides it: monitors do not import alerts, which depend on monitors' events.
 */
export abstract class AlertChannelLookup {
  abstract exists(name: string): Promise<boolean>;
  /** Every channel's name, and whether it gets the alerts of monitors that name none (name order). */
  abstract choices(): Promise<{ name: string; isDefault: boolean }[]>;
}
