import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { AlertDeliveryRepository, type SharedAlert } from '../../app/alerts/alert-delivery.repository.js';
import { ClusterRepository } from '../../app/cluster/cluster.repository.js';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/databases.js';

/**
 * The alert queue shared by several servers (PostgreSQL): a change queued once however many servers judge
 * it, storms counted over every server's alerts, nothing queued under a lease another server has taken.
 */
describe(
  'alerts queued by several servers on postgres',
  { skip: !process.env.PULSE_TEST_POSTGRES_URL && 'needs the test PostgreSQL' },
  () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let queue: AlertDeliveryRepository;
    let cluster: ClusterRepository;

    before(async () => {
      database = await createTestDatabase('postgres');
      dataSource = await openDataSource(database);
      queue = new AlertDeliveryRepository(dataSource);
      cluster = new ClusterRepository(dataSource);
      await dataSource.query(`INSERT INTO "cluster_shards" ("shard", "owner", "epoch", "lease_until") VALUES (7, 'server-a', 3, 0)`);
    });
    after(async () => {
      await dataSource.destroy();
      await database.dispose();
    });

    const alert = (overrides: Partial<SharedAlert> = {}): SharedAlert => ({
      channels: [
        {
          name: 'ops',
          targets: [
            { type: 'webhook', key: 'ops/webhook' },
            { type: 'mail', key: 'ops/mail' },
          ],
        },
      ],
      event: JSON.stringify({ kind: 'alarm', name: 'db' }),
      eventKey: 'db-ok-1000-error',
      now: 10_000,
      storm: null,
      fence: async () => undefined,
      ...overrides,
    });

    it('queues a change once per target, even when two servers queue it at the same moment', async () => {
      const [first, second] = await Promise.all([queue.enqueueShared(alert()), queue.enqueueShared(alert())]);
      assert.equal(first.length + second.length, 2, 'one delivery per target in all');
      const rows = await dataSource.query(`SELECT "target_key" FROM "alert_deliveries" WHERE "event_key" = 'db-ok-1000-error' ORDER BY 1`);
      assert.deepEqual(
        rows.map((row: { target_key: string }) => row.target_key),
        ['ops/mail', 'ops/webhook'],
      );
      assert.equal((await queue.enqueueShared(alert({ eventKey: 'db-error-2000-ok' }))).length, 2, 'another change is another alert');
    });

    it('counts a storm over every server: beyond the threshold in the window, alerts are held whoever queues them', async () => {
      const storm = { threshold: 3, windowMs: 30_000 };
      const channel = [{ name: 'storm', targets: [{ type: 'webhook', key: 'storm/webhook' }] }];
      const statuses: string[] = [];
      for (let index = 0; index < 5; index++) {
        // Alternating "servers": nothing but the queue itself is shared.
        const [row] = await new AlertDeliveryRepository(dataSource).enqueueShared(
          alert({ channels: channel, eventKey: `storm-${index}`, now: 50_000 + index, storm }),
        );
        statuses.push(row!.status);
      }
      assert.deepEqual(statuses, ['pending', 'pending', 'pending', 'held', 'held']);
      const later = await queue.enqueueShared(alert({ channels: channel, eventKey: 'storm-later', now: 50_000 + 31_000, storm }));
      assert.equal(later[0]!.status, 'pending', 'after the window the channel is quiet again');
    });

    it('queues nothing under a lease another server has taken since the decision', async () => {
      const fenced = (epoch: number) => async (manager: Parameters<SharedAlert['fence']>[0]) => {
        if (!(await cluster.fenceHeld(manager, 7, epoch))) throw new Error('taken over');
      };
      assert.equal((await queue.enqueueShared(alert({ eventKey: 'fenced-held', fence: fenced(3) }))).length, 2);
      await dataSource.query(`UPDATE "cluster_shards" SET "owner" = 'server-b', "epoch" = 4 WHERE "shard" = 7`);
      await assert.rejects(queue.enqueueShared(alert({ eventKey: 'fenced-lost', fence: fenced(3) })), /taken over/);
      const [{ count }] = await dataSource.query(`SELECT COUNT(*) AS count FROM "alert_deliveries" WHERE "event_key" = 'fenced-lost'`);
      assert.equal(Number(count), 0);
    });

    it('lets only the holder of a lease write under it (heldBy locks the rows it confirms)', async () => {
      await dataSource.query(
        `INSERT INTO "cluster_shards" ("shard", "owner", "epoch", "lease_until") VALUES (8, 'server-a', 1, 0), (9, 'server-a', 2, 0)`,
      );
      const held = await dataSource.transaction((manager) =>
        cluster.heldBy(manager, 'server-a', [
          { shard: 7, epoch: 3 },
          { shard: 8, epoch: 1 },
          { shard: 9, epoch: 1 },
        ]),
      );
      assert.deepEqual([...held], [8], 'shard 7 went to server-b, shard 9 was taken again under epoch 2');
    });
  },
);
