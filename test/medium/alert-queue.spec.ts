import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { AlertDeliveryRepository, type NewDelivery } from '../../app/alerts/alert-delivery.repository.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';

const delivery = (targetKey: string, name: string, status: NewDelivery['status'] = 'pending'): NewDelivery => ({
  channel: targetKey.split('/')[0]!,
  targetType: targetKey.split('/')[1]!,
  targetKey,
  event: JSON.stringify({ kind: 'monitor', name }),
  status,
});
const nameOf = (row: { event: string } | null) => (row ? (JSON.parse(row.event) as { name: string }).name : null);

for (const kind of databaseKinds()) {
  describe(`alert queue on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let queue: AlertDeliveryRepository;

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
      queue = new AlertDeliveryRepository(dataSource);
    });
    after(async () => {
      await dataSource.destroy();
      await database.dispose();
    });

    it('hands out due deliveries of one target in order, each to one worker only', async () => {
      await queue.enqueue([delivery('ops/webhook', 'a'), delivery('ops/webhook', 'b'), delivery('ops/mail', 'c')], 1000);
      const first = await queue.claimNext('ops/webhook', 'worker-1', 2000, 60_000);
      const second = await queue.claimNext('ops/webhook', 'worker-2', 2000, 60_000);
      assert.deepEqual([nameOf(first), nameOf(second)], ['a', 'b']);
      assert.equal(first!.status, 'sending');
      assert.equal(first!.claimedBy, 'worker-1');
      assert.equal(first!.claimedUntil, 60_000);
      assert.equal(await queue.claimNext('ops/webhook', 'worker-3', 2000, 60_000), null, 'nothing left for this target');
      assert.equal(nameOf(await queue.claimNext('ops/mail', 'worker-3', 2000, 60_000)), 'c', 'other targets are separate');
    });

    it('never gives one delivery to two workers claiming at the same moment', async () => {
      await queue.enqueue(
        Array.from({ length: 20 }, (_, index) => delivery('race/webhook', `r${index}`)),
        1000,
      );
      // Separate connections on PostgreSQL (the pool), so the claims really run at once there.
      const claims = await Promise.all(
        Array.from({ length: 30 }, (_, index) => queue.claimNext('race/webhook', `w${index}`, 2000, 60_000)),
      );
      const claimed = claims.filter((row) => row !== null).map(nameOf);
      assert.equal(claimed.length, 20);
      assert.equal(new Set(claimed).size, 20, 'no delivery claimed twice');
    });

    it('records attempts, reschedules retries, and knows when the next one is due', async () => {
      const [row] = await queue.enqueue([delivery('retry/webhook', 'x')], 1000);
      const claimed = await queue.claimNext('retry/webhook', 'w', 1000, 60_000);
      assert.equal(claimed!.id, row!.id);
      await queue.recordAttempt(
        { deliveryId: row!.id, at: 1000, durationMs: 12, ok: false, error: 'HTTP 503', temporary: true },
        { status: 'pending', attempts: 1, nextAttemptAt: 6000, lastError: 'HTTP 503', updatedAt: 1012 },
        'w',
      );
      assert.equal(await queue.claimNext('retry/webhook', 'w', 5999, 60_000), null, 'not before its retry time');
      assert.equal(await queue.nextDueAt('retry/webhook'), 6000);
      const again = await queue.claimNext('retry/webhook', 'w', 6000, 60_000);
      assert.equal(again!.attempts, 1);
      assert.equal(again!.claimedBy, 'w', 'a claimed delivery is marked as held by its worker');
      await queue.recordAttempt(
        { deliveryId: row!.id, at: 6000, durationMs: 8, ok: true, error: null, temporary: null },
        { status: 'sent', attempts: 2, deliveredAt: 6008, lastError: null, updatedAt: 6008 },
        'w',
      );
      const attempts = await queue.attemptsOf([row!.id]);
      assert.deepEqual(
        attempts.map((attempt) => [attempt.ok, attempt.error, attempt.temporary]),
        [
          [false, 'HTTP 503', true],
          [true, null, null],
        ],
      );
      const sent = await queue.findById(row!.id);
      assert.deepEqual([sent!.status, sent!.deliveredAt, sent!.claimedBy], ['sent', 6008, null]);
    });

    it('hands back deliveries held by a worker that died', async () => {
      await queue.enqueue([delivery('crash/webhook', 'lost')], 1000);
      await queue.claimNext('crash/webhook', 'dead-server', 1000, 5000);
      assert.equal(await queue.releaseExpiredClaims(4999), 0, 'the claim is still valid');
      assert.equal(await queue.releaseExpiredClaims(5001), 1);
      assert.equal(nameOf(await queue.claimNext('crash/webhook', 'live-server', 5001, 70_000)), 'lost');
    });

    it('turns held storm alerts into one digest, atomically', async () => {
      const held = await queue.enqueue(
        [delivery('storm/webhook', 's1', 'held'), delivery('storm/webhook', 's2', 'held'), delivery('storm/webhook', 's3', 'held')],
        1000,
      );
      assert.deepEqual(
        (await queue.targetsWithWork()).filter((work) => work.targetKey === 'storm/webhook'),
        [{ targetKey: 'storm/webhook', channel: 'storm', targetType: 'webhook' }],
      );
      const rows = await queue.heldFor('storm/webhook');
      assert.deepEqual(rows.map(nameOf), ['s1', 's2', 's3']);
      const digest = await queue.digest(rows, delivery('storm/webhook', 'digest'), 2000);
      assert.equal(digest.status, 'pending');
      assert.deepEqual(await queue.heldFor('storm/webhook'), []);
      for (const row of held) {
        const after = await queue.findById(row.id);
        assert.deepEqual([after!.status, after!.digestId], ['digested', digest.id]);
      }
    });

    it('cancels what is queued for a removed channel; a send in flight is not retried, but one that got through counts as sent', async () => {
      const [pending, held, failing, succeeding] = await queue.enqueue(
        [delivery('gone/webhook', 'g1'), delivery('gone/webhook', 'g2', 'held'), delivery('gone/mail', 'g3'), delivery('gone/slack', 'g4')],
        1000,
      );
      await queue.claimNext('gone/mail', 'w', 1000, 60_000);
      await queue.claimNext('gone/slack', 'w', 1000, 60_000);
      const reason = 'the alert channel "gone" was deleted';
      assert.equal(await queue.cancelAll(['gone/webhook', 'gone/mail', 'gone/slack'], reason, 3000), 4);
      for (const row of [pending, held]) assert.deepEqual(await statusOf(row!.id), ['cancelled', reason]);
      assert.equal(await queue.claimNext('gone/webhook', 'w', 9999, 60_000), null, 'nothing cancelled is handed out');
      // The mail send in flight fails temporarily: its retry is not scheduled.
      const retried = await queue.recordAttempt(
        { deliveryId: failing!.id, at: 1000, durationMs: 5, ok: false, error: 'HTTP 503', temporary: true },
        { status: 'pending', attempts: 1, nextAttemptAt: 6000, lastError: 'HTTP 503', updatedAt: 3005 },
        'w',
      );
      assert.equal(retried, false);
      assert.deepEqual(await statusOf(failing!.id), ['cancelled', reason]);
      assert.equal((await queue.attemptsOf([failing!.id])).length, 1, 'the attempt itself is in the log');
      // The slack send in flight got through: the log says so.
      await queue.recordAttempt(
        { deliveryId: succeeding!.id, at: 1000, durationMs: 5, ok: true, error: null, temporary: null },
        { status: 'sent', attempts: 1, deliveredAt: 3005, lastError: null, updatedAt: 3005 },
        'w',
      );
      assert.deepEqual(await statusOf(succeeding!.id), ['sent', null]);
    });

    it('counts by status and prunes old finished deliveries', async () => {
      const counts = await queue.countByStatus();
      assert.ok(counts.cancelled! >= 3 && counts.sent! >= 1 && counts.digested! >= 3, JSON.stringify(counts));
      const before = (await queue.list({ limit: 500 })).length;
      const pruned = await queue.prune(10_000);
      assert.ok(pruned >= 8, `pruned ${pruned}`);
      const left = await queue.list({ limit: 500 });
      assert.equal(left.length, before - pruned);
      assert.ok(
        left.every((row) => !['sent', 'failed', 'digested', 'cancelled'].includes(row.status)),
        'only finished deliveries are pruned',
      );
    });

    async function statusOf(id: number): Promise<[string, string | null]> {
      const row = await queue.findById(id);
      return [row!.status, row!.lastError];
    }
  });
}
