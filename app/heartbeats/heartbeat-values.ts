/**
 * The values a heartbeat command carries, shared by the statsd parser and the HTTP API so both refuse
 * the same things with the same words.
 */

const SERVICE_NAME = /^[A-Za-z0-9._-]{1,255}$/;
export const SERVICE_NAME_RULE = 'service names are 1 to 255 characters of A-Z a-z 0-9 . _ -, other than "." and ".."';

/** A valid service name. "." and ".." are not: no URL can reach them (/api/services/.. is /api/). */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME.test(name) && name !== '.' && name !== '..';
}

/** Timeouts are kept in milliseconds; these two are Lovebeat's special values. */
export const NO_TIMEOUT = -1;
export const AUTO_TIMEOUT = -2;
/** Ten years: a deadline further away than that is a mistake, not a schedule. */
export const MAX_TIMEOUT_SECONDS = 315_360_000;

export type ValueCheck = { ok: true; ms: number } | { ok: false; reason: string };

/** Seconds (fractions allowed), -1 to clear, -2 for automatic, or "auto". Returns milliseconds or -1/-2. */
export function timeoutFromSeconds(value: number | string): ValueCheck {
  if (value === 'auto') return { ok: true, ms: AUTO_TIMEOUT };
  const seconds = typeof value === 'number' ? value : /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (seconds === -1) return { ok: true, ms: NO_TIMEOUT };
  if (seconds === -2) return { ok: true, ms: AUTO_TIMEOUT };
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    return {
      ok: false,
      reason: `timeout must be seconds (more than 0, at most ${MAX_TIMEOUT_SECONDS}), "auto", -1 (none) or -2 (automatic), not ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, ms: Math.round(seconds * 1000) };
}

/** Seconds between beats below which a beat counts as too early; 0 or -1 turns the check off. */
export function minIntervalFromSeconds(value: number | string): ValueCheck {
  const seconds = typeof value === 'number' ? value : /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (seconds === 0 || seconds === -1) return { ok: true, ms: NO_TIMEOUT };
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TIMEOUT_SECONDS) {
    return {
      ok: false,
      reason: `min_interval must be seconds (more than 0, at most ${MAX_TIMEOUT_SECONDS}), or 0 / -1 to turn it off, not ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, ms: Math.round(seconds * 1000) };
}
