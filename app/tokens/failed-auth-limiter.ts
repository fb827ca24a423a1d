const WINDOW_MS = 60_000;
/** Bound on remembered addresses, so a spray of source addresses cannot grow memory without limit. */
const MAX_ADDRESSES = 50_000;

/**
 * Counts failed token checks per client address over a sliding minute. An address at the limit gets
 * 429 on every token-guarded route until its oldest failure leaves the window — valid tokens included,
 * so the answer never tells a guesser which token was right.
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limitPerMinute: number) {}

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  retryAfterSeconds(address: string, now: number): number {
    const recent = this.recent(address, now);
    if (recent.length < this.limitPerMinute) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.limitPerMinute]! + WINDOW_MS - now) / 1000));
  }

  recordFailure(address: string, now: number): void {
    const recent = this.recent(address, now);
    recent.push(now);
    // Delete and set again so Map order stays "least recently failed first" for eviction.
    this.failures.delete(address);
    this.failures.set(address, recent.slice(-this.limitPerMinute));
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(address: string, now: number): number[] {
    const times = this.failures.get(address);
    if (!times) return [];
    const fresh = times.filter((time) => now - time < WINDOW_MS);
    if (fresh.length === 0) this.failures.delete(address);
    else if (fresh.length !== times.length) this.failures.set(address, fresh);
    return fresh;
  }
}
