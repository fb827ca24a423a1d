import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HttpAdapterHost } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { ClusterRepository } from '../../app/cluster/cluster.repository.js';
import { ClusterService } from '../../app/cluster/cluster.service.js';
import { FenceLost, type OwnedShards, type ShardWork } from '../../app/cluster/ownership.js';
import { SHARD_COUNT, shardOf } from '../../app/cluster/shard-of.js';
import { ClusterSection, HttpSection } from '../../app/config/config.schema.js';
import { ReadinessService } from '../../app/health/readiness.service.js';
import { Clock } from '../../app/runtime/clock.js';
import { createTestDatabase, openDataSource, openRelayedDataSource, type TestDatabase } from '../support/databases.js';
import type { TcpRelay } from '../support/tcp-relay.js';
import { waitUntil } from '../support/wait.js';

/** A feature's work that records what it is handed. */
class RecordingWork implements ShardWork {
  readonly taken = new Set<number>();
  readonly log: string[] = [];
  async prepare(shards: ReadonlySet<number>): Promise<void> {
    this.log.push(`prepare ${shards.size}`);
  }
  take(shards: ReadonlySet<number>): void {
    for (const shard of shards) this.taken.add(shard);
    this.log.push(`take ${shards.size}`);
  }
  drop(shards: ReadonlySet<number>): void {
    for (const shard of shards) this.taken.delete(shard);
    this.log.push(`drop ${shards.size}`);
  }
}

/** One server's membership as the server module builds it, in this process, on its own connection. */
async function member(dataSource: DataSource, name: string) {
  const settings = Object.assign(new ClusterSection(), { name, lease_seconds: 5 });
  const readiness = new ReadinessService();
  const cluster = new ClusterService(dataSource, new ClusterRepository(dataSource), readiness, new Clock(), settings, new HttpSection(), {
    httpAdapter: undefined,
  } as unknown as HttpAdapterHost);
  const work = new RecordingWork();
  const owned: OwnedShards = cluster.join('test', work);
  await cluster.onModuleInit();
  cluster.onApplicationBootstrap();
  await owned.ready();
  return { cluster, work, owned, readiness };
}

describe('shard leases on postgres', { skip: !process.env.PULSE_TEST_POSTGRES_URL && 'needs the test PostgreSQL' }, () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  /** Server a reaches PostgreSQL through a relay the test freezes (its connection goes silent, as in a network cut). */
  let relay: TcpRelay;
  let relayed: DataSource;
  const members: Awaited<ReturnType<typeof member>>[] = [];

  before(async () => {
    database = await createTestDatabase('postgres');
    dataSource = await openDataSource(database);
    ({ relay, dataSource: relayed } = await openRelayedDataSource(database));
  });
  after(async () => {
    relay.thaw();
    for (const { cluster } of members) await cluster.beforeApplicationShutdown().catch(() => undefined);
    await relayed.destroy();
    await dataSource.destroy();
    await relay.stop();
    await database.dispose();
  });

  it('one server takes every shard; a second one gets half, handed over without a gap or an overlap', async () => {
    const a = await member(relayed, 'a');
    members.push(a);
    await waitUntil('a holding every shard', () => a.work.taken.size === SHARD_COUNT);
    const b = await member(dataSource, 'b');
    members.push(b);
    await waitUntil('a and b holding 32 each', () => a.work.taken.size === 32 && b.work.taken.size === 32, 30_000);
    for (let shard = 0; shard < SHARD_COUNT; shard++)
      assert.equal(Number(a.owned.ownsShard(shard)) + Number(b.owned.ownsShard(shard)), 1, `shard ${shard} decided by exactly one`);
    assert.ok(
      a.work.log.some((entry) => entry.startsWith('drop')),
      'a dropped what it handed over',
    );
  });

  it('fences a server cut off from PostgreSQL: it decides nothing, /readyz says why, and the other takes over', async () => {
    const [a, b] = members;
    const key = [...Array(1000).keys()].map((id) => `monitor:${id}`).find((candidate) => a!.owned.owns(candidate))!;
    const fence = a!.cluster.fenceOf(key)!;
    relay.freeze();
    await waitUntil('a fenced', async () => (await a!.readiness.check()).checks.cluster === 'failing', 15_000);
    assert.equal(a!.owned.owns(key), false, 'no decision once fenced');
    assert.equal(a!.cluster.fenceOf(key), null);
    assert.equal(a!.work.taken.size, 0, 'every shard dropped');
    const readiness = await a!.readiness.check();
    assert.match(readiness.reasons!.cluster!, /^fenced since .*; this server decides nothing until PostgreSQL answers again$/);
    await waitUntil('b holding the shard a decided', () => b!.owned.ownsShard(shardOf(key)), 30_000);
    // A decision a made before it was cut off can no longer be made visible.
    await assert.rejects(
      dataSource.transaction((manager) => a!.cluster.assertFence(manager, fence)),
      (error: Error) => error instanceof FenceLost,
    );
    await dataSource.transaction((manager) => b!.cluster.assertFence(manager, b!.cluster.fenceOf(key)!));
  });

  it('lets the fenced server back in once its connection works again, without overlapping the other', async () => {
    const [a, b] = members;
    relay.thaw();
    await waitUntil('a deciding again, 32 each', () => a!.work.taken.size === 32 && b!.work.taken.size === 32, 40_000);
    assert.equal((await a!.readiness.check()).ready, true);
    for (let shard = 0; shard < SHARD_COUNT; shard++)
      assert.equal(Number(a!.owned.ownsShard(shard)) + Number(b!.owned.ownsShard(shard)), 1, `shard ${shard}`);
  });

  it('hands every lease back on a clean stop, so the other takes them at once', async () => {
    const [a, b] = members;
    await a!.cluster.beforeApplicationShutdown();
    members.shift();
    await waitUntil('b holding every shard', () => b!.work.taken.size === SHARD_COUNT, 15_000);
  });
});
