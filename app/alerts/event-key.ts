import { createHash } from 'node:crypto';
import type { AlertEvent } from '../plugin-host/contracts.js';

/**
 * Which state change an alert reports: the thing (kind and id), the state it left with when that state
 * began, and the state it entered. A server that takes over from one that died may judge a change again
 * from the last state written (the dead one had queued the alert but not yet written the state); the
 * same change gives the same key, so its alert is queued once. Null for what has no such identity
 * (digests, test sends).
 */
export function alertEventKey(event: AlertEvent): string | null {
  if (event.kind === 'digest' || event.kind === 'test') return null;
  return createHash('sha256')
    .update([event.kind, event.id, event.fromState, event.since ?? '', event.toState].join('\n'))
    .digest('hex');
}
