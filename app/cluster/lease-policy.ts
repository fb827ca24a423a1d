/**
 * Who decides for which shard (no I/O): every server renews its leases and, from one snapshot of the
 * servers and the shard table, works out which shards to claim and which to hand back so that each living
 * server holds its fair share. Claims are then made with a conditional UPDATE, so two servers planning
 * from the same snapshot never both get a shard: the plan only says what to try.
 */

/** A server as the lease table's reader sees it. */
export interface ServerSnapshot {
  id: string;
  /** How long the database has not heard from it (by the database's clock). */
  silentForMs: number;
  /** It still holds its session lock, i.e. its connection to PostgreSQL is open. */
  sessionAlive: boolean;
  /** It said goodbye (a clean stop). */
  stopped: boolean;
}

export interface ShardSnapshot {
  shard: number;
  owner: string | null;
  /** Until its lease runs out (by the database's clock); 0 or less when it has. */
  leaseLeftMs: number;
}

export interface LeasePlan {
  /** Shards to claim, best first. */
  claim: number[];
  /** Shards to hand back (this server holds more than its share and another holds less). */
  release: number[];
  /** Servers whose shards may be taken before their leases run out: their connection is gone. */
  dead: string[];
}

/**
 * A server is alive while it holds its session (its connection is open) and has been heard from within
 * one lease. A process killed outright loses its connection at once, so the others need not wait for its
 * leases; a machine that vanished without closing its connection is given up after one lease.
 */
export function isAlive(server: ServerSnapshot, leaseMs: number): boolean {
  return !server.stopped && server.sessionAlive && server.silentForMs < leaseMs;
}

/** Each living server's fair share: the count split evenly, the first servers (by id) taking one more. */
export function fairShares(living: readonly string[], shardCount: number): Map<string, number> {
  const ids = [...new Set(living)].sort();
  const base = Math.floor(shardCount / ids.length);
  const extra = shardCount % ids.length;
  return new Map(ids.map((id, index) => [id, base + (index < extra ? 1 : 0)]));
}

export function planLeases(input: {
  me: string;
  servers: readonly ServerSnapshot[];
  shards: readonly ShardSnapshot[];
  leaseMs: number;
  shardCount: number;
}): LeasePlan {
  const { me, servers, shards, leaseMs, shardCount } = input;
  const living = servers.filter((server) => server.id === me || isAlive(server, leaseMs)).map((server) => server.id);
  if (!living.includes(me)) living.push(me);
  const alive = new Set(living);
  const dead = servers.filter((server) => !alive.has(server.id) && !server.stopped && !server.sessionAlive).map((server) => server.id);
  const shares = fairShares(living, shardCount);
  const target = shares.get(me)!;
  const held = new Map<string, number>();
  for (const shard of shards) if (shard.owner !== null) held.set(shard.owner, (held.get(shard.owner) ?? 0) + 1);
  const mine = shards.filter((shard) => shard.owner === me).map((shard) => shard.shard);
  const takeable = shards.filter(
    (shard) => shard.owner !== me && (shard.owner === null || shard.leaseLeftMs <= 0 || !alive.has(shard.owner)),
  );

  if (mine.length < target) {
    // Servers claiming at the same moment start at different places, so they rarely want the same rows.
    const offset = Math.floor((living.sort().indexOf(me) * shardCount) / living.length);
    const order = (shard: number) => (shard - offset + shardCount) % shardCount;
    const claim = takeable
      .map((shard) => shard.shard)
      .sort((a, b) => order(a) - order(b))
      .slice(0, target - mine.length);
    return { claim, release: [], dead };
  }
  if (mine.length > target && takeable.length === 0) {
    const someoneShort = [...shares].some(([id, share]) => id !== me && (held.get(id) ?? 0) < share);
    if (someoneShort) return { claim: [], release: mine.sort((a, b) => b - a).slice(0, mine.length - target), dead };
  }
  return { claim: [], release: [], dead };
}

/** How often leases are renewed: five times per lease, so three renewals can fail before this server fences itself. */
export function renewIntervalMs(leaseMs: number): number {
  return Math.max(500, Math.floor(leaseMs / 5));
}

/**
 * Until when this server may decide after a renewal that *started* at `renewStartedAt` (its own monotonic
 * clock): the database counts the lease from a moment after that, and the margin covers clocks running
 * at slightly different rates. Past it, the server stops deciding (fenced) until a renewal succeeds.
 */
export function decideUntil(renewStartedAt: number, leaseMs: number): number {
  return renewStartedAt + leaseMs - Math.max(1000, Math.floor(leaseMs / 5));
}
