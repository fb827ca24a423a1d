import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideUntil, fairShares, isAlive, planLeases, type ServerSnapshot, type ShardSnapshot } from './lease-policy.js';

const LEASE = 10_000;
const server = (id: string, overrides: Partial<ServerSnapshot> = {}): ServerSnapshot => ({
  id,
  silentForMs: 500,
  sessionAlive: true,
  stopped: false,
  ...overrides,
});
const table = (count: number, owner: (shard: number) => string | null, leaseLeftMs = 8000): ShardSnapshot[] =>
  Array.from({ length: count }, (_, shard) => ({ shard, owner: owner(shard), leaseLeftMs: owner(shard) === null ? 0 : leaseLeftMs }));

/** Runs the plans of every server in turn, applying claims and releases as the database would. */
function settle(servers: ServerSnapshot[], shards: ShardSnapshot[], rounds = 6): ShardSnapshot[] {
  let current = shards.map((shard) => ({ ...shard }));
  for (let round = 0; round < rounds; round++) {
    for (const me of servers.filter((candidate) => isAlive(candidate, LEASE))) {
      const plan = planLeases({ me: me.id, servers, shards: current, leaseMs: LEASE, shardCount: current.length });
      current = current.map((shard) => {
        if (plan.release.includes(shard.shard)) return { ...shard, owner: null, leaseLeftMs: 0 };
        const takeable = shard.owner === null || shard.leaseLeftMs <= 0 || plan.dead.includes(shard.owner);
        if (plan.claim.includes(shard.shard) && takeable) return { ...shard, owner: me.id, leaseLeftMs: LEASE };
        return shard;
      });
    }
  }
  return current;
}

const counts = (shards: ShardSnapshot[]) => {
  const result: Record<string, number> = {};
  for (const shard of shards) result[shard.owner ?? 'none'] = (result[shard.owner ?? 'none'] ?? 0) + 1;
  return result;
};

describe('lease policy', () => {
  it('splits the shards evenly, the first servers by id taking the remainder', () => {
    assert.deepEqual(
      [...fairShares(['b', 'a', 'c'], 64)],
      [
        ['a', 22],
        ['b', 21],
        ['c', 21],
      ],
    );
    assert.deepEqual([...fairShares(['a'], 64)], [['a', 64]]);
  });

  it('a lone server claims every free shard', () => {
    const plan = planLeases({ me: 'a', servers: [server('a')], shards: table(64, () => null), leaseMs: LEASE, shardCount: 64 });
    assert.equal(plan.claim.length, 64);
    assert.deepEqual(plan.release, []);
  });

  it('three servers starting on an empty table end with 22/21/21 and every shard owned', () => {
    const servers = [server('a'), server('b'), server('c')];
    assert.deepEqual(
      counts(
        settle(
          servers,
          table(64, () => null),
        ),
      ),
      { a: 22, b: 21, c: 21 },
    );
  });

  it('a server joining takes its share: the others hand shards back, none is left without an owner', () => {
    const servers = [server('a'), server('b'), server('c')];
    const before = table(64, (shard) => (shard % 2 === 0 ? 'a' : 'b'));
    const planA = planLeases({ me: 'a', servers, shards: before, leaseMs: LEASE, shardCount: 64 });
    assert.equal(planA.release.length, 32 - 22);
    assert.deepEqual(counts(settle(servers, before)), { a: 22, b: 21, c: 21 });
  });

  it('takes the shards of a server whose connection is gone at once, without waiting for its leases', () => {
    const servers = [server('a'), server('b'), server('c', { sessionAlive: false })];
    const shards = table(64, (shard) => ['a', 'b', 'c'][shard % 3]!);
    const plan = planLeases({ me: 'a', servers, shards, leaseMs: LEASE, shardCount: 64 });
    assert.deepEqual(plan.dead, ['c']);
    assert.ok(plan.claim.length > 0 && plan.claim.every((shard) => shard % 3 === 2), plan.claim.join(','));
    assert.deepEqual(counts(settle(servers, shards)), { a: 32, b: 32 });
  });

  it('waits for the leases of a server that is silent but still connected, then takes them', () => {
    const servers = [server('a'), server('b', { silentForMs: 4000 })];
    const shards = table(64, (shard) => (shard < 32 ? 'a' : 'b'));
    assert.deepEqual(planLeases({ me: 'a', servers, shards, leaseMs: LEASE, shardCount: 64 }).claim, []);
    const frozen = [server('a'), server('b', { silentForMs: 11_000 })];
    const expired = shards.map((shard) => (shard.owner === 'b' ? { ...shard, leaseLeftMs: -1000 } : shard));
    assert.equal(planLeases({ me: 'a', servers: frozen, shards: expired, leaseMs: LEASE, shardCount: 64 }).claim.length, 32);
  });

  it('never hands a shard back while free shards remain for the others to claim', () => {
    const servers = [server('a'), server('b')];
    const shards = table(64, (shard) => (shard < 40 ? 'a' : null));
    assert.deepEqual(planLeases({ me: 'a', servers, shards, leaseMs: LEASE, shardCount: 64 }).release, []);
  });

  it('a stopped server counts for nothing; its released shards are free', () => {
    const servers = [server('a'), server('b', { stopped: true, sessionAlive: false })];
    const shards = table(64, (shard) => (shard < 32 ? 'a' : null));
    assert.equal(planLeases({ me: 'a', servers, shards, leaseMs: LEASE, shardCount: 64 }).claim.length, 32);
  });

  it('decides until a margin before the lease ends, counted from when the renewal started', () => {
    assert.equal(decideUntil(1000, 10_000), 9000);
    assert.equal(decideUntil(0, 3000), 2000);
  });
});
