import { clientKey } from '../runtime/client-address.js';

const WINDOW_MS = 60_000;
/** Bound on remembered addresses, so a spray of source addresses cannot grow memory without limit. */
const MAX_ADDRESSES = 50_000;

/**
 * Counts failed token checks per client over a sliding minute (an IPv6 client by its /64, see
 * clientKey). A client at the limit gets 429 for further failing attempts until its oldest failure
 * leaves the window; a valid token is still served (SPEC §13), so one bad actor behind a NAT does not
 * lock out the admin and every beat from that address.
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limitPerMinute: number) {}

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  retryAfterSeconds(address: string, now: number): number {
    const recent = this.recent(clientKey(address), now);
    if (recent.length < this.limitPerMinute) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.limitPerMinute]! + WINDOW_MS - now) / 1000));
  }

  recordFailure(address: string, now: number): void {
    const key = clientKey(address);
    const recent = this.recent(key, now);
    recent.push(now);
    // Delete and set again so Map order stays "least recently failed first" for eviction.
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.limitPerMinute));
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const fresh = times.filter((time) => now - time < WINDOW_MS);
    if (fresh.length === 0) this.failures.delete(key);
    else if (fresh.length !== times.length) this.failures.set(key, fresh);
    return fresh;
  }
}
