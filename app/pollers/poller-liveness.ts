/** SPEC §4: a poller is active when it was heard from within the last 90 s. */
export const ACTIVE_WINDOW_MS = 90_000;

export type PollerState = 'online' | 'offline';

/** Heard from within the last 90 s (any request with its token). */
export function isActive(lastSeenAt: number | null, now: number): boolean {
  return lastSeenAt !== null && now - lastSeenAt <= ACTIVE_WINDOW_MS;
}

/**
 * When to look at a poller's liveness next: 90 s after it was last heard from, but never sooner than 90 s
 * after this server started, so a server that was down does not judge pollers that had no one to talk to.
 */
export function nextLivenessCheck(lastSeenAt: number | null, startedAt: number): number {
  return Math.max(lastSeenAt ?? 0, startedAt) + ACTIVE_WINDOW_MS + 1;
}

/**
 * The judged state after a look at `now`: offline when silent past the window (and its grace after a
 * server start), online again as soon as it is heard from. Null when nothing changes.
 */
export function judgeLiveness(current: PollerState, lastSeenAt: number | null, startedAt: number, now: number): PollerState | null {
  const silentSince = Math.max(lastSeenAt ?? 0, startedAt);
  const next: PollerState = now - silentSince > ACTIVE_WINDOW_MS ? 'offline' : 'online';
  return next === current ? null : next;
}
