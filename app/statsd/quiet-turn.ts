import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * At shutdown a receiver reads what the kernel already holds before its socket closes: it lets the event
 * loop go round (each turn polls the sockets and reads what is ready) until a whole turn brought nothing
 * new, or `limitMs` passed (a sender that keeps sending cannot hold the shutdown up).
 *
 * @param activity a count that grows with every datagram or chunk read.
 */
export async function untilQuiet(activity: () => number, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  // Called from an I/O callback this turn's poll is already over: the first quiet turn must have had one.
  await nextTurn();
  for (;;) {
    const before = activity();
    // An immediate set during the check phase runs in the next turn, after that turn's poll phase.
    await nextTurn();
    if (activity() === before || performance.now() >= deadline) return;
  }
}

/** How long a receiver keeps reading at shutdown at most. */
export const DRAIN_LIMIT_MS = 1000;
