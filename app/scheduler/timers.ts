/** The clock and timer functions the scheduling pieces use; tests inject virtual ones. */
export interface SchedulerTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** setTimeout's limit; a later due time just wakes the owner once more. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function unrefTimeout(callback: () => void, ms: number): unknown {
  const handle = setTimeout(callback, ms);
  handle.unref?.();
  return handle;
}

function clearRealTimeout(handle: unknown): void {
  clearTimeout(handle as NodeJS.Timeout);
}

/** Wall-clock time and Node's timers, unref'd so a pending wake-up never keeps the process alive. */
export const realTimers: SchedulerTimers = { now: () => Date.now(), setTimeout: unrefTimeout, clearTimeout: clearRealTimeout };

/** Node's timers, timed by `now` (an injectable Clock's): tests move that clock and call the owner's due handling themselves. */
export function timersWithClock(now: () => number): SchedulerTimers {
  return { now, setTimeout: unrefTimeout, clearTimeout: clearRealTimeout };
}
