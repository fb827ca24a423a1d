/**
 * Counts alerts per channel over a sliding window. Up to `threshold` alerts in `windowMs` go out one by
 * one; beyond that the channel is in a storm and alerts are held for a digest.
 */
export class StormWindow {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}

  /** True when this alert should be held for a digest; otherwise it is counted as sent. */
  hold(channel: string, now: number): boolean {
    const recent = (this.sent.get(channel) ?? []).filter((time) => now - time < this.windowMs);
    if (recent.length >= this.threshold) {
      this.sent.set(channel, recent);
      return true;
    }
    recent.push(now);
    this.sent.set(channel, recent);
    return false;
  }
}
