/**
 * Where in its interval a job runs. Each key gets a fixed phase (a hash of the key), so monitors created
 * together spread over the interval instead of firing together, and the slots stay put across restarts.
 */
export function phaseOf(key: string, intervalMs: number): number {
  // FNV-1a, 32 bit: cheap and well spread for short keys.
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % intervalMs;
}

/** The first slot (phase + k·interval, in epoch ms) at or after `time`. */
export function slotAtOrAfter(key: string, intervalMs: number, time: number): number {
  const phase = phaseOf(key, intervalMs);
  const k = Math.ceil((time - phase) / intervalMs);
  return phase + k * intervalMs;
}

/** A spread offset within the first-run window (a new or edited job runs within it). */
export function firstRunOffset(key: string, generation: number, windowMs: number): number {
  return phaseOf(`${key}#${generation}`, Math.max(1, windowMs));
}
