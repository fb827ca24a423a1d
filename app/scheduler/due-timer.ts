import { DueQueue } from './due-queue.js';
import { MAX_TIMER_MS, realTimers, type SchedulerTimers } from './timers.js';

/**
 * A DueQueue behind one timer: the timer is armed for the earliest due time only, so 100,000 keys cost
 * one pending timeout. When it fires, `wake(now)` is called and takes what is due with `takeDue(now)`;
 * keys scheduled during the wake-up are armed for once, afterwards. Used by the job scheduler (run times),
 * the heartbeat engine (deadlines) and the monitor runtime (when results go stale).
 */
export class DueTimer<K> {
  private readonly queue = new DueQueue<K>();
  private handle: unknown = null;
  /** When the pending timer fires (its due time; a far one is split into MAX_TIMER_MS steps). */
  private armedFor = Number.POSITIVE_INFINITY;
  private waking = false;
  private stopped = false;

  constructor(
    private readonly wake: (now: number) => void,
    private readonly timers: SchedulerTimers = realTimers,
  ) {}

  get size(): number {
    return this.queue.size;
  }

  has(key: K): boolean {
    return this.queue.has(key);
  }

  dueAt(key: K): number | undefined {
    return this.queue.dueAt(key);
  }

  /** The earliest due time, or undefined when nothing is queued. */
  peekTime(): number | undefined {
    return this.queue.peekTime();
  }

  /** Adds the key, or moves it; the timer is brought forward when this is now the earliest. */
  schedule(key: K, dueAt: number): void {
    this.queue.schedule(key, dueAt);
    if (dueAt < this.armedFor && !this.waking) this.arm();
  }

  /** Forgets the key. The timer stays armed: it wakes for nothing once and re-arms for the next key. */
  remove(key: K): boolean {
    return this.queue.remove(key);
  }

  /** Removes and returns every key due at or before `now`, earliest first. */
  takeDue(now: number, limit?: number): { key: K; dueAt: number }[] {
    return this.queue.takeDue(now, limit);
  }

  /** Cancels the timer and forgets every key; nothing wakes afterwards. */
  stop(): void {
    this.stopped = true;
    this.disarm();
    this.queue.clear();
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.queue.peekTime();
    if (next === undefined || next >= this.armedFor) return;
    this.disarm();
    this.armedFor = next;
    this.handle = this.timers.setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(0, next - this.timers.now())));
  }

  private disarm(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private readonly fire = (): void => {
    this.handle = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    this.waking = true;
    try {
      this.wake(this.timers.now());
    } finally {
      this.waking = false;
      this.arm();
    }
  };
}
