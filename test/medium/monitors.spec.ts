import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { ServerConfig } from '../../app/config/config.schema.js';
import { MonitorRepository, type MonitorSettings } from '../../app/monitors/monitor.repository.js';
import { nextState, type StateSnapshot } from '../../app/monitors/monitor-state.js';
import { ResultRepository } from '../../app/monitors/result.repository.js';
import { ResultsCleanupService } from '../../app/monitors/results-cleanup.service.js';
import { BucketAccumulator, type BucketDelta } from '../../app/monitors/uptime-buckets.js';
import { Clock } from '../../app/runtime/clock.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAY = 86_400_000;

function settings(overrides: Partial<MonitorSettings> = {}): MonitorSettings {
  return {
    name: 'Shop',
    type: 'http',
    target: 'https://shop.example.test/',
    intervalS: 60,
    timeoutS: 10,
    retries: 1,
    quorum: null,
    pollers: [],
    alerts: [],
    options: { keyword: 'Welcome' },
    ...overrides,
  };
}

class FixedClock extends Clock {
  constructor(public time: number) {
    super();
  }
  override now(): number {
    return this.time;
  }
}

for (const kind of databaseKinds()) {
  describe(`monitor storage on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let monitors: MonitorRepository;
    let results: ResultRepository;

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
      monitors = new MonitorRepository(dataSource);
      results = new ResultRepository(dataSource);
    });
    after(async () => {
      await dataSource.destroy();
      await database.dispose();
    });

    it('stores settings with their JSON options and finds monitors by status, type and text, page by page', async () => {
      const shop = await monitors.insert(settings({ pollers: [3, 4], alerts: ['ops'] }), T0);
      const found = await monitors.findById(shop.id);
      assert.deepEqual(
        [found?.options, found?.pollers, found?.alerts, found?.status, found?.paused],
        [{ keyword: 'Welcome' }, [3, 4], ['ops'], 'pending', false],
      );
      for (let index = 0; index < 12; index++)
        await monitors.insert(settings({ name: `router ${String(index).padStart(2, '0')}`, type: 'ping', target: `10.0.0.${index}` }), T0);
      await monitors.insert(settings({ name: '100% sure_thing', type: 'port', target: 'db:5432' }), T0);

      const pings = await monitors.list({ type: 'ping', page: 2, perPage: 5 });
      assert.equal(pings.total, 12);
      assert.deepEqual(
        pings.monitors.map((monitor) => monitor.name),
        ['router 05', 'router 06', 'router 07', 'router 08', 'router 09'],
      );
      assert.deepEqual(
        (await monitors.list({ q: 'SHOP.example', page: 1, perPage: 50 })).monitors.map((monitor) => monitor.id),
        [shop.id],
        'text matches name or target, any case',
      );
      assert.equal((await monitors.list({ q: '100%', page: 1, perPage: 50 })).total, 1, '% is matched literally');
      assert.equal((await monitors.list({ q: 'e_t', page: 1, perPage: 50 })).total, 1, '_ is matched literally');
      assert.equal((await monitors.list({ status: 'down', page: 1, perPage: 50 })).total, 0);
    });

    it('writes state changes with numbered incidents, and survives a reopen of the database', async () => {
      const monitor = await monitors.insert(settings({ name: 'flappy' }), T0);
      let state: StateSnapshot = { status: 'pending', since: null, incidentNumber: 0, incidentOpen: false };
      for (const [offset, to, message] of [
        [1, 'up', 'HTTP 200'],
        [2, 'down', 'HTTP 503'],
        [3, 'up', 'HTTP 200'],
        [4, 'down', 'connection refused'],
      ] as const) {
        const change = nextState(state, to, T0 + offset * 60_000, message)!;
        await monitors.applyChange(monitor.id, change);
        state = change.next;
      }
      const incidents = await monitors.incidents(monitor.id, 10);
      assert.deepEqual(
        incidents.map((incident) => [
          incident.number,
          incident.cause,
          incident.startedAt - T0,
          incident.endedAt === null ? null : incident.endedAt - T0,
          incident.resolution,
        ]),
        [
          [2, 'connection refused', 240_000, null, null],
          [1, 'HTTP 503', 120_000, 180_000, 'recovered'],
        ],
      );
      assert.ok((await monitors.openIncidentMonitorIds()).has(monitor.id));
      const reopened = await openDataSource(database);
      try {
        const stored = await new MonitorRepository(reopened).findById(monitor.id);
        assert.deepEqual(
          [stored?.status, stored?.incidentNumber, stored?.lastChangeAt, stored?.statusMessage],
          ['down', 2, T0 + 240_000, 'connection refused'],
        );
      } finally {
        await reopened.destroy();
      }
    });

    it('writes results in batches: duplicates ignored, the latest result per source kept, bucket figures added up', async () => {
      const monitor = await monitors.insert(settings({ name: 'batched' }), T0);
      const buckets = new BucketAccumulator(monitor.id);
      const batch = (from: number, latencies: (number | null)[]) => {
        const rows = latencies.map((latency, index) => ({
          monitorId: monitor.id,
          source: 'public',
          checkedAt: T0 + (from + index) * 10_000,
          status: latency === null ? ('down' as const) : ('up' as const),
          latencyMs: latency,
          message: latency === null ? 'connection refused' : 'HTTP 200',
          details: latency === null ? null : JSON.stringify({ status_code: 200 }),
        }));
        const writes = rows.map((row) => ({
          row,
          deltas: buckets.record({ at: row.checkedAt, status: row.status, latencyMs: row.latencyMs }, 'up', 150_000),
        }));
        const latest = rows[rows.length - 1]!;
        return results.writeBatch(writes, [
          {
            monitorId: monitor.id,
            source: 'public',
            status: latest.status,
            latencyMs: latest.latencyMs,
            message: latest.message,
            checkedAt: latest.checkedAt,
          },
        ]);
      };
      assert.deepEqual(await batch(0, [5, 7, null]), [true, true, true]);
      assert.deepEqual(await batch(3, [1, 9, 4]), [true, true, true]);
      assert.deepEqual(await batch(3, [1, 9, 4]), [false, false, false], 'a re-sent batch is accepted, as duplicates');

      const rows = await results.results(monitor.id, { limit: 100 });
      assert.equal(rows.length, 6, 'the re-sent results were not stored twice');
      assert.deepEqual(
        { ...rows[0] },
        {
          monitorId: monitor.id,
          source: 'public',
          checkedAt: T0 + 50_000,
          status: 'up',
          latencyMs: 4,
          message: 'HTTP 200',
          details: '{"status_code":200}',
        },
      );
      assert.equal((await results.results(monitor.id, { limit: 100, since: T0 + 20_000, until: T0 + 30_000 })).length, 2);
      assert.equal((await results.results(monitor.id, { limit: 100, source: 'poller:1' })).length, 0);
      assert.deepEqual(
        (await results.sourcesOf(monitor.id)).map((source) => [source.source, source.checkedAt, source.latencyMs]),
        [['public', T0 + 50_000, 4]],
      );

      const [minute] = await results.buckets(monitor.id, 'minute', T0, T0 + 60_000);
      // The third batch was a repeat: stored once, counted once.
      assert.deepEqual(
        [
          minute!.checks,
          minute!.downChecks,
          minute!.latencyCount,
          minute!.latencySumMs,
          minute!.latencyMinMs,
          minute!.latencyMaxMs,
          minute!.upMs,
        ],
        [6, 1, 5, 26, 1, 9, 50_000],
      );
      assert.deepEqual(await results.stateTotals(monitor.id, 'hour', T0), { upMs: 50_000, warningMs: 0, downMs: 0 });
    });

    it('cleans up results and buckets past their retention, in chunks', async () => {
      const monitor = await monitors.insert(settings({ name: 'old' }), T0);
      const old = Array.from({ length: 30 }, (_unused, index) => ({
        monitorId: monitor.id,
        source: 'public',
        checkedAt: T0 - 40 * DAY + index,
        status: 'up' as const,
        latencyMs: 1,
        message: 'HTTP 200',
        details: null,
      }));
      const recent = { ...old[0]!, checkedAt: T0 - DAY };
      const buckets = new BucketAccumulator(monitor.id);
      const writes = [...old, recent].map((row) => ({ row, deltas: [] as BucketDelta[] }));
      writes[0]!.deltas = buckets.record({ at: T0 - 400 * DAY, status: 'up', latencyMs: 1 }, 'up', 1);
      writes[1]!.deltas = new BucketAccumulator(monitor.id).record({ at: T0 - 8 * DAY, status: 'up', latencyMs: 1 }, 'up', 1);
      await results.writeBatch(writes, []);
      const config = new ServerConfig();
      const cleanup = new ResultsCleanupService(results, config.results, new FixedClock(T0));
      const removed = await cleanup.cleanUp();
      assert.ok(removed.results >= 30, `removed ${removed.results}`);
      assert.equal(await results.countResultsBefore(T0 - config.results.retention_days * DAY), 0);
      assert.equal((await results.results(monitor.id, { limit: 10 })).length, 1, 'recent results stay');
      const left = await results.buckets(monitor.id, 'hour', 0, T0);
      assert.deepEqual(
        left.map((bucket) => bucket.bucketStart),
        [Math.floor((T0 - 8 * DAY) / 3_600_000) * 3_600_000],
        'hour buckets stay a year; the 400-day-old one went',
      );
      assert.equal((await results.buckets(monitor.id, 'minute', 0, T0)).length, 0, 'minute buckets older than a week went');
    });

    it('deletes a monitor with everything recorded about it', async () => {
      const monitor = await monitors.insert(settings({ name: 'doomed' }), T0);
      const change = nextState({ status: 'pending', since: null, incidentNumber: 0, incidentOpen: false }, 'down', T0, 'HTTP 500')!;
      await monitors.applyChange(monitor.id, change);
      await results.writeBatch(
        [
          {
            row: {
              monitorId: monitor.id,
              source: 'public',
              checkedAt: T0,
              status: 'down',
              latencyMs: null,
              message: 'HTTP 500',
              details: null,
            },
            deltas: new BucketAccumulator(monitor.id).record({ at: T0, status: 'down', latencyMs: null }, 'down', 1),
          },
        ],
        [{ monitorId: monitor.id, source: 'public', checkedAt: T0, status: 'down', latencyMs: null, message: 'HTTP 500' }],
      );
      await monitors.delete(monitor.id);
      assert.equal(await monitors.findById(monitor.id), null);
      for (const table of ['check_results', 'monitor_sources', 'monitor_buckets', 'monitor_incidents']) {
        const [row] = await dataSource.query(`SELECT COUNT(*) AS n FROM "${table}" WHERE "monitor_id" = ${monitor.id}`);
        assert.equal(Number(row.n), 0, table);
      }
    });
  });
}
