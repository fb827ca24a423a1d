import { NO_TIMEOUT } from './heartbeat-values.js';
import type { ServiceSnapshot } from './service-record.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a service is a stray that `[heartbeat] forget_unseen_days` forgets: created by one beat (or by
 * a command that set nothing) and not heard from since, and never configured. "Configured" is anything
 * someone chose for it: a timeout (fixed or automatic), a min_interval, a mute, a job run (`.start` /
 * `.fail`), or its exact name in an alarm pattern (`namedByAlarm`). Matching an alarm's glob is not
 * enough: junk names match `*` patterns as easily as real ones.
 */
export function isForgettable(
  service: ServiceSnapshot,
  now: number,
  silentForMs: number,
  namedByAlarm: (name: string) => boolean,
): boolean {
  if (service.timeoutMs !== NO_TIMEOUT || service.minIntervalMs !== NO_TIMEOUT || service.mutedSince !== null) return false;
  if (service.runs.length > 0 || service.runStartedAt !== null || service.problem !== null) return false;
  // Beats are recorded at least a second apart: more than one means it beat again later.
  if (service.beats.length > 1) return false;
  const lastHeard = service.lastBeat >= 0 ? service.lastBeat : service.createdAt;
  if (now - lastHeard < silentForMs) return false;
  return !namedByAlarm(service.name);
}
