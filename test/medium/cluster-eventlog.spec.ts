import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HttpAdapterHost } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { AlarmEngine } from '../../app/alarms/alarm-engine.js';
import type { AlarmStateChanged } from '../../app/alarms/alarm.events.js';
import { AlarmRepository } from '../../app/alarms/alarm.repository.js';
import { ClusterRepository } from '../../app/cluster/cluster.repository.js';
import { ClusterService } from '../../app/cluster/cluster.service.js';
import { SHARD_COUNT } from '../../app/cluster/shard-of.js';
import { AlarmConfig, ClusterSection, HttpSection, ServerConfig } from '../../app/config/config.schema.js';
import { storageHealthOf } from '../../app/database/storage-health.js';
import { EventlogService } from '../../app/eventlog/eventlog.service.js';
import { EventBus } from '../../app/events/pulse-events.js';
import { ReadinessService } from '../../app/health/readiness.service.js';
import type { ServiceStateChanged } from '../../app/heartbeats/heartbeat.events.js';
import { HeartbeatCluster } from '../../app/heartbeats/heartbeat-cluster.js';
import { HeartbeatEngine } from '../../app/heartbeats/heartbeat-engine.js';
import { HeartbeatForwarder } from '../../app/heartbeats/heartbeat-forwarder.js';
import { HeartbeatMaintenance } from '../../app/heartbeats/heartbeat-maintenance.js';
import { HeartbeatRepository } from '../../app/heartbeats/heartbeat.repository.js';
import { HeartbeatStore } from '../../app/heartbeats/heartbeat-store.js';
import { MaintenanceRepository } from '../../app/maintenance/maintenance.repository.js';
import { MaintenanceService } from '../../app/maintenance/maintenance.service.js';
import { MetricsService } from '../../app/metrics/metrics.service.js';
import { Clock } from '../../app/runtime/clock.js';
import { createTestDatabase, openDataSource, openRelayedDataSource, type TestDatabase } from '../support/databases.js';
import type { TcpRelay } from '../support/tcp-relay.js';
import { waitUntil } from '../support/wait.js';

/** The heartbeat deadlines' clock, shared by both servers and moved by the test (leases run on real time). */
class ManualClock extends Clock {
  time = Date.UTC(2026, 10, 22, 12, 0, 0);
  override now(): number {
    return this.time;
  }
}

const MINUTE = 60_000;

/** What `written` says, failing the test rather than hanging when it never says anything. */
async function settled(written: Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the save of a change settled neither way within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([written, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One server's heartbeat side as the server module builds it — membership and leases, heartbeat engine,
 * store, forwarder and cluster part, alarms, and the event log — in this process, on its own connection.
 */
async function server(dataSource: DataSource, name: string, clock: Clock, dir: string) {
  const config = new ServerConfig();
  config.data_dir = dir;
  config.eventlog.path = `${name}.events.log`;
  config.alarms = [Object.assign(new AlarmConfig(), { name: 'jobs-$name', pattern: 'job.$name.*' })];
  const settings = Object.assign(new ClusterSection(), { name, lease_seconds: 5 });
  const cluster = new ClusterService(
    dataSource,
    new ClusterRepository(dataSource),
    new ReadinessService(),
    new Clock(),
    settings,
    new HttpSection(),
    {
      httpAdapter: undefined,
    } as unknown as HttpAdapterHost,
  );
  const emitter = new EventEmitter2();
  const events = new EventBus(emitter);
  const metrics = new MetricsService();
  const storage = storageHealthOf(dataSource);
  const repository = new HeartbeatRepository(dataSource);
  const store = new HeartbeatStore(repository, events, metrics, storage);
  const alarms = new AlarmEngine(config, new AlarmRepository(dataSource), events, metrics, storage, clock, cluster, cluster.bus);
  const maintenance = new MaintenanceService(new MaintenanceRepository(dataSource), events, clock);
  const engine = new HeartbeatEngine(
    config.heartbeat,
    clock,
    events,
    store,
    repository,
    new HeartbeatMaintenance(maintenance),
    metrics,
    alarms,
  );
  const forwarder = new HeartbeatForwarder(repository, cluster.bus, storage, metrics, cluster);
  const heartbeats = new HeartbeatCluster(engine, store, forwarder, repository, cluster, cluster.bus);
  const eventlog = new EventlogService(config);
  eventlog.onModuleInit();
  // What Nest's event wiring does in the server.
  const serviceChanges: ServiceStateChanged[] = [];
  const alarmChanges: AlarmStateChanged[] = [];
  emitter.on('service.state-changed', (event: ServiceStateChanged) => {
    serviceChanges.push(event);
    eventlog.onServiceStateChanged(event);
  });
  emitter.on('alarm.state-changed', (event: AlarmStateChanged) => {
    alarmChanges.push(event);
    eventlog.onAlarmStateChanged(event);
  });
  await cluster.onModuleInit();
  await engine.onModuleInit();
  cluster.onApplicationBootstrap();
  await heartbeats.onModuleInit();
  const file = path.join(dir, config.eventlog.path);
  return {
    name,
    cluster,
    engine,
    alarms,
    serviceChanges,
    alarmChanges,
    /** The event log's lines as `kind name from → to`. */
    eventLog(): string[] {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, string>)
        .map((entry) => `${entry.kind} ${entry.name} ${entry.from} → ${entry.to}`);
    },
    async stop(): Promise<void> {
      await cluster.beforeApplicationShutdown().catch(() => undefined);
      heartbeats.onApplicationShutdown();
      await engine.onApplicationShutdown().catch(() => undefined);
      await alarms.onApplicationShutdown().catch(() => undefined);
      await forwarder.onApplicationShutdown().catch(() => undefined);
      await eventlog.onApplicationShutdown();
    },
  };
}

describe(
  'the event log with several servers on postgres (no change logged twice)',
  { skip: !process.env.PULSE_TEST_POSTGRES_URL && 'needs the test PostgreSQL' },
  () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    /** Server a reaches PostgreSQL through a relay the test freezes (a stall past its lease). */
    let relay: TcpRelay;
    let relayed: DataSource;
    let dir: string;
    const servers: Awaited<ReturnType<typeof server>>[] = [];

    before(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-cluster-eventlog-'));
      database = await createTestDatabase('postgres');
      dataSource = await openDataSource(database);
      ({ relay, dataSource: relayed } = await openRelayedDataSource(database));
    });
    after(async () => {
      relay.thaw();
      for (const each of servers) await each.stop();
      await relayed.destroy();
      await dataSource.destroy();
      await relay.stop();
      await database.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a deadline judged by a server that then loses its lease before its save is logged only by the server that takes over', async () => {
      const clock = new ManualClock();
      const a = await server(relayed, 'a', clock, dir);
      servers.push(a);
      const b = await server(dataSource, 'b', clock, dir);
      servers.push(b);
      await waitUntil(
        'a and b deciding half the services each',
        () => {
          const names = Array.from({ length: 2 * SHARD_COUNT }, (_, index) => `job.n${index}.run`);
          return names.some((name) => a.engine.decides(name)) && names.some((name) => b.engine.decides(name));
        },
        30_000,
      );
      const name = Array.from({ length: 1000 }, (_, index) => `job.n${index}.run`).find((candidate) => a.engine.decides(candidate))!;
      const alarm = `jobs-${name.split('.')[1]}`;
      // The alarm's lease may be either server's: only the service's decides what this test shows.
      assert.equal(a.engine.update(name, { beat: true, timeoutMs: MINUTE }, 'http'), true);
      await a.engine.flush();
      await waitUntil("a's new → ok in its event log", () => a.eventLog().includes(`service ${name} new → ok`));

      // a stalls (its connection silent) right after judging the deadline: its save cannot commit in time.
      relay.freeze();
      clock.time += MINUTE + 5000;
      a.engine.expireDue();
      const judgedByA = a.serviceChanges.find((change) => change.name === name && change.to === 'error');
      assert.ok(judgedByA, 'a judged the deadline while it still held the lease');
      await waitUntil('b deciding the service', () => b.engine.decides(name), 30_000);
      // b judges it again from what the database holds (after its takeover grace).
      clock.time += 11_000;
      b.engine.expireDue();
      await waitUntil("b's ok → error in its event log", () => b.eventLog().includes(`service ${name} ok → error`), 10_000);

      relay.thaw();
      assert.equal(await settled(judgedByA.written), false, "a's save of the change was fenced");
      const alarmByA = a.alarmChanges.find((change) => change.name === alarm && change.to === 'error');
      if (alarmByA) await settled(alarmByA.written);
      const alarmLine = `alarm ${alarm} ok → error`;
      await waitUntil('the alarm raised in an event log', () => [...a.eventLog(), ...b.eventLog()].includes(alarmLine), 10_000);
      // Whatever a writes from now on (it comes back), the fenced change is not among it.
      await a.engine.flush();
      await a.alarms.flush();
      await b.alarms.flush();
      assert.deepEqual(
        a.eventLog().filter((line) => line.startsWith(`service ${name}`)),
        [`service ${name} new → ok`],
        'a logged the change it could not save',
      );
      assert.deepEqual(
        b.eventLog().filter((line) => line.startsWith(`service ${name}`)),
        [`service ${name} ok → error`],
      );
      const alarmLines = [...a.eventLog(), ...b.eventLog()].filter((line) => line === alarmLine);
      assert.equal(alarmLines.length, 1, `the alarm's change logged once in all: ${JSON.stringify(alarmLines)}`);
    });
  },
);
