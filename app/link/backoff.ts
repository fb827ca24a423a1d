/** Waits between attempts while the server is away: doubling from `baseMs` up to `maxMs`. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const LINK_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };

/**
 * The wait before attempt `failures + 1`, with "equal jitter": half the doubled delay, plus a random part
 * of the other half, so many pollers coming back after a server restart do not all send at once.
 */
export function backoffDelayMs(failures: number, random: () => number, policy: BackoffPolicy = LINK_BACKOFF): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** `Retry-After` in seconds (the only form Pulse sends), as ms; null when absent or not a number. */
export function retryAfterMs(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,6}$/.test(value.trim())) return null;
  return Number(value.trim()) * 1000;
}

/** 1240 → "1,240": counts in log lines people read. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** 1 → "1 result", 1240 → "1,240 results" (`noun` is the plural). */
export function counted(value: number, noun: string): string {
  return `${count(value)} ${value === 1 ? noun.replace(/s$/, '') : noun}`;
}

/** 754_000 → "12 min 34 s": how long something lasted, for log lines. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
