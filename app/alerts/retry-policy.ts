const FIRST_RETRY_MS = 5_000;
const LONGEST_WAIT_MS = 5 * 60_000;

/**
 * After a temporary failure: when to try again (5 s, 10 s, 20 s… up to 5 min between tries), or null
 * when the next try would fall outside the retry period and the delivery should be given up.
 */
export function nextAttemptAt(attempts: number, createdAt: number, now: number, retryPeriodMs: number): number | null {
  const wait = Math.min(LONGEST_WAIT_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  const at = now + wait;
  return at <= createdAt + retryPeriodMs ? at : null;
}
