/**
 * What monitors need to know about alert channels: whether one exists, so a monitor never names a
 * channel an alert would silently miss. The alerts feature provides it: monitors do not import alerts,
 * which depend on monitors' events.
 */
export abstract class AlertChannelLookup {
  abstract exists(name: string): Promise<boolean>;
}
