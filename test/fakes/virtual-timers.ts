import type { SchedulerTimers } from '../../app/scheduler/timers.js';

/** Virtual time: timers fire only when the test advances the clock, in order, letting promises settle in between. */
export class VirtualTimers implements SchedulerTimers {
  time = Date.UTC(2026, 10, 22, 12, 0, 0);
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.pending.delete(handle as number);
  };

  /** Timers waiting to fire. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves time forward, firing timers in order and letting promises settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const next = [...this.pending.entries()].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
    }
    this.time = end;
    await settle();
  }
}

export const settle = () => new Promise((resolve) => setImmediate(resolve));
