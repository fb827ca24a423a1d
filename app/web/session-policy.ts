/** SPEC §8: a console session ends after 12 hours without a request, and 7 days after sign-in at the latest. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often per session, so browsing stays read-only on the database. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export interface SessionTimes {
  createdAt: number;
  lastSeenAt: number;
}

export type SessionExpiry = 'idle' | 'absolute' | null;

/** Why a session has ended by time at `now`, or null while it is alive. */
export function sessionExpiry(session: SessionTimes, now: number): SessionExpiry {
  if (now - session.createdAt >= SESSION_MAX_AGE_MS) return 'absolute';
  if (now - session.lastSeenAt >= SESSION_IDLE_MS) return 'idle';
  return null;
}

/** Whether a request at `now` should record itself as the session's last activity. */
export function shouldRecordActivity(lastWritten: number, now: number): boolean {
  return now - lastWritten >= LAST_SEEN_RESOLUTION_MS;
}
