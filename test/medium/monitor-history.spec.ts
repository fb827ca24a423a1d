import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { MonitorHistoryRepository } from '../../app/monitors/monitor-history.repository.js';
import { MonitorRepository } from '../../app/monitors/monitor.repository.js';
import { ResultRepository } from '../../app/monitors/result.repository.js';
import type { BucketDelta } from '../../app/monitors/uptime-buckets.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 30, 12, 30, 0);

function bucket(monitorId: number, period: 'minute' | 'hour', bucketStart: number, figures: Partial<BucketDelta>): BucketDelta {
  return {
    monitorId,
    period,
    bucketStart,
    upMs: 0,
    warningMs: 0,
    downMs: 0,
    maintenanceMs: 0,
    checks: 1,
    downChecks: 0,
    latencyCount: 0,
    latencySumMs: 0,
    latencyMinMs: null,
    latencyMaxMs: null,
    latencyP95Ms: null,
    ...figures,
  };
}

const result = (monitorId: number, source: string, checkedAt: number, latencyMs: number | null, status: 'up' | 'down' = 'up') => ({
  monitorId,
  source,
  checkedAt,
  status,
  latencyMs,
  message: status === 'up' ? 'HTTP 200' : 'connection refused',
  details: null,
});

/**
 * Stores results and bucket deltas as one of the runtime's batches does (deltas ride on a result). A
 * batch of deltas alone rides on a new result from 1970, outside every window these tests read (a
 * result already stored would carry only the time of its deltas).
 */
let carrierAt = 1;
function storeBatch(results: ResultRepository, rows: ReturnType<typeof result>[], deltas: BucketDelta[]) {
  const carrier = rows.length > 0 || deltas.length === 0 ? [] : [result(deltas[0]!.monitorId, 'public', carrierAt++, null)];
  const all = [...rows, ...carrier];
  return results.writeBatch(
    all.map((row, index) => ({ row, deltas: index === all.length - 1 ? deltas : [] })),
    [],
  );
}

for (const kind of databaseKinds()) {
  describe(`monitor history for the console on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let results: ResultRepository;
    let history: MonitorHistoryRepository;
    let first: number;
    let second: number;
    let third: number;

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
      results = new ResultRepository(dataSource);
      history = new MonitorHistoryRepository(dataSource);
      const monitors = new MonitorRepository(dataSource);
      const settings = {
        type: 'http',
        target: 'https://x.test/',
        intervalS: 60,
        timeoutS: 10,
        retries: 1,
        quorum: null,
        pollers: [2],
        alerts: [],
        options: {},
      };
      first = (await monitors.insert({ ...settings, name: 'first' }, NOW)).id;
      second = (await monitors.insert({ ...settings, name: 'second' }, NOW)).id;
      third = (await monitors.insert({ ...settings, name: 'third' }, NOW)).id;
    });
    after(async () => {
      await dataSource.destroy();
      await database.dispose();
    });

    it('keeps latency per source in minute and hour buckets, written with the results', async () => {
      const minute = Math.floor(NOW / MINUTE) * MINUTE;
      await storeBatch(
        results,
        [
          result(first, 'public', minute - 2 * MINUTE + 1000, 10),
          result(first, 'public', minute - 2 * MINUTE + 31_000, 30),
          result(first, 'public', minute - MINUTE + 1000, null, 'down'),
          result(first, 'poller:2', minute - 2 * MINUTE + 5000, 200),
        ],
        [],
      );
      const rows = await history.sourceLatency(first, 'minute', minute - HOUR);
      assert.deepEqual(
        rows.map((row) => [row.source, row.bucketStart, row.latencyMs]),
        [
          ['poller:2', minute - 2 * MINUTE, 200],
          ['public', minute - 2 * MINUTE, 20],
          ['public', minute - MINUTE, null],
        ],
        'an average per source and minute; a minute whose checks all failed has no latency',
      );
      const hours = await history.sourceLatency(first, 'hour', minute - DAY);
      assert.deepEqual(
        hours.map((row) => [row.source, row.latencyMs]),
        [
          ['poller:2', 200],
          ['public', 20],
        ],
      );
      // The same batch again (a poller re-sending) adds to the buckets only what it adds to results.
      assert.equal((await history.sourceLatency(second, 'minute', 0)).length, 0);
    });

    it('sums 24 h of state time from minute buckets up to the first whole hour and hour buckets after it', async () => {
      const since = NOW - DAY; // 2026-11-29 12:30
      const firstWholeHour = Math.ceil(since / HOUR) * HOUR;
      await storeBatch(
        results,
        [],
        [
          // Before the window: not counted.
          bucket(first, 'minute', since - 5 * MINUTE, { downMs: 60_000 }),
          bucket(first, 'hour', firstWholeHour - HOUR, { downMs: 3_600_000 }),
          // Inside: two minutes of the partial hour, then whole hours.
          bucket(first, 'minute', since + MINUTE, { upMs: 60_000 }),
          bucket(first, 'minute', since + 2 * MINUTE, { downMs: 60_000 }),
          bucket(first, 'hour', firstWholeHour, { upMs: 3_000_000, warningMs: 600_000 }),
          bucket(first, 'hour', firstWholeHour + 5 * HOUR, { upMs: 3_540_000, downMs: 60_000 }),
          bucket(second, 'hour', firstWholeHour, { downMs: 3_600_000 }),
        ],
      );
      const totals = await history.stateTotals([first, second], since);
      assert.deepEqual(totals.get(first), { upMs: 60_000 + 3_000_000 + 3_540_000, warningMs: 600_000, downMs: 60_000 + 60_000 });
      assert.deepEqual(totals.get(second), { upMs: 0, warningMs: 0, downMs: 3_600_000 });
      const everyone = await history.stateTotals(null, since);
      assert.deepEqual(everyone.get(first), totals.get(first), 'the ranking over all monitors reads the same figures');
    });

    it("reads a monitor's 24 h, 7 d and 30 d state time in one query, each window as stateTotals reads it", async () => {
      const windows = [
        { period: 'minute' as const, since: NOW - DAY },
        { period: 'hour' as const, since: NOW - 7 * DAY },
        { period: 'hour' as const, since: NOW - 30 * DAY },
      ];
      await storeBatch(
        results,
        [],
        [
          bucket(third, 'minute', NOW - 10 * MINUTE, { upMs: 50_000, downMs: 10_000 }),
          bucket(third, 'hour', NOW - 3 * DAY, { upMs: 3_000_000, warningMs: 600_000 }),
          bucket(third, 'hour', NOW - 20 * DAY, { downMs: 3_600_000 }),
          bucket(third, 'hour', NOW - 40 * DAY, { downMs: 3_600_000 }),
        ],
      );
      const together = await results.stateTotalsOfWindows(third, windows);
      const apart = await Promise.all(windows.map((window) => results.stateTotals(third, window.period, window.since)));
      assert.deepEqual(together, apart);
      assert.equal(together[2]!.downMs - together[1]!.downMs, 3_600_000, 'the outage 20 days ago is in 30 d, not in 7 d');
      assert.deepEqual(
        await results.stateTotalsOfWindows(first + second + third, windows),
        windows.map(() => ({ upMs: 0, warningMs: 0, downMs: 0 })),
      );
    });

    it('groups hour buckets by UTC day for the uptime bars, maintenance apart', async () => {
      const today = Math.floor(NOW / DAY) * DAY;
      await storeBatch(
        results,
        [],
        [
          bucket(second, 'hour', today - 3 * DAY + 2 * HOUR, { upMs: 3_600_000 }),
          bucket(second, 'hour', today - 3 * DAY + 3 * HOUR, { downMs: 1_800_000, maintenanceMs: 1_800_000 }),
        ],
      );
      const days = await history.dayTotals(second, today - 89 * DAY);
      assert.deepEqual(days[0], { day: today - 3 * DAY, upMs: 3_600_000, warningMs: 0, downMs: 1_800_000, maintenanceMs: 1_800_000 });
    });

    it('reads the last hour of minute latency of several monitors at once, oldest first', async () => {
      const minute = Math.floor(NOW / MINUTE) * MINUTE;
      await storeBatch(
        results,
        [],
        [
          bucket(first, 'minute', minute - 2 * HOUR, { latencyCount: 1, latencySumMs: 999 }),
          bucket(first, 'minute', minute - 10 * MINUTE, { latencyCount: 2, latencySumMs: 50 }),
          bucket(second, 'minute', minute - 20 * MINUTE, { latencyCount: 4, latencySumMs: 8 }),
          bucket(second, 'minute', minute - 5 * MINUTE, { latencyCount: 0, latencySumMs: 0 }),
        ],
      );
      const rows = await history.monitorLatency([first, second], 'minute', NOW - HOUR);
      assert.deepEqual(
        rows.filter((row) => row.bucketStart >= minute - 30 * MINUTE).map((row) => [row.monitorId, row.bucketStart, row.latencyMs]),
        [
          [first, minute - 10 * MINUTE, 25],
          [second, minute - 20 * MINUTE, 2],
          [second, minute - 5 * MINUTE, null],
        ],
      );
      assert.ok(!rows.some((row) => row.latencyMs === 999), 'nothing older than the window');
    });
  });
}
