/** How a server of the installation is doing, as GET /api/cluster and the console show it. */
export type ServerState = 'active' | 'fenced' | 'unreachable' | 'stopped';

export interface ServerFacts {
  stopped: boolean;
  /** Its connection to PostgreSQL is open (its session lock is held). */
  sessionAlive: boolean;
  silentForMs: number;
  /** It said so at its last renewal (it renews but cannot decide), or it is this server and fenced now. */
  fenced: boolean;
}

/**
 * `stopped`: it said goodbye; `unreachable`: its connection is gone or it has not renewed within a lease,
 * so the others have taken its work over; `fenced`: it is there but decides nothing; `active`: it decides
 * for its shards.
 */
export function serverState(facts: ServerFacts, leaseMs: number): ServerState {
  if (facts.stopped) return 'stopped';
  if (!facts.sessionAlive || facts.silentForMs >= leaseMs) return 'unreachable';
  return facts.fenced ? 'fenced' : 'active';
}
