/**
 * The work of an installation is cut into a fixed number of shards; each server decides for the shards it
 * holds a lease on. Every server must agree on the count, so it is a constant of the code, not a setting:
 * 64 spreads well over the two or three servers an installation runs and keeps the lease table tiny.
 */
export const SHARD_COUNT = 64;

/**
 * The shard a piece of work belongs to, from its key (`monitor:12`, `service:backup.nightly`,
 * `alarm:db`, `poller:3`, `agent:7`): FNV-1a over the key's UTF-16 code units, so every server maps
 * a key to the same shard without asking anyone.
 */
export function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SHARD_COUNT;
}

/** The keys of the kinds of work a server decides for. */
export const workKey = {
  monitor: (id: number) => `monitor:${id}`,
  service: (name: string) => `service:${name}`,
  alarm: (name: string) => `alarm:${name}`,
  poller: (id: number) => `poller:${id}`,
  agent: (id: number) => `agent:${id}`,
};
