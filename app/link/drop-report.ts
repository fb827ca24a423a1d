import { realTimers, type SchedulerTimers } from '../scheduler/timers.js';
import type { DropReason } from './disk-outbox.js';

/** At most one line per reason in this time; what is dropped meanwhile is said in the next one. */
export const DROP_REPORT_INTERVAL_MS = 60_000;

/**
 * Says what the outbox dropped without flooding the log: a full outbox drops its oldest results every few
 * seconds while the server is away. The first drop of each kind is said at once; later ones are added up
 * and said at most once a minute, and whatever is left unsaid when the link closes is said then, so the
 * last line always carries the outbox's final count.
 */
export class DropReport {
  private readonly unsaid = new Map<DropReason, number>();
  private readonly lastSaid = new Map<DropReason, number>();
  private timer: unknown = null;

  constructor(
    private readonly say: (amount: number, reason: DropReason) => void,
    private readonly timers: SchedulerTimers = realTimers,
  ) {}

  note(amount: number, reason: DropReason): void {
    const now = this.timers.now();
    const last = this.lastSaid.get(reason);
    if (last === undefined || now - last >= DROP_REPORT_INTERVAL_MS) {
      const total = amount + (this.unsaid.get(reason) ?? 0);
      this.unsaid.delete(reason);
      this.lastSaid.set(reason, now);
      this.say(total, reason);
      return;
    }
    this.unsaid.set(reason, (this.unsaid.get(reason) ?? 0) + amount);
    if (this.timer === null)
      this.timer = this.timers.setTimeout(
        () => {
          this.timer = null;
          this.flush();
        },
        last + DROP_REPORT_INTERVAL_MS - now,
      );
  }

  /** Says everything not yet said. */
  flush(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const now = this.timers.now();
    for (const [reason, amount] of this.unsaid) {
      this.lastSaid.set(reason, now);
      this.say(amount, reason);
    }
    this.unsaid.clear();
  }
}
