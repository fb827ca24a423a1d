import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { AlarmEngine } from '../../app/alarms/alarm-engine.js';
import type { AlarmStateChanged } from '../../app/alarms/alarm.events.js';
import { AlarmRepository } from '../../app/alarms/alarm.repository.js';
import { AlarmConfig, ServerConfig } from '../../app/config/config.schema.js';
import { storageHealthOf } from '../../app/database/storage-health.js';
import { EventlogService } from '../../app/eventlog/eventlog.service.js';
import { EventBus } from '../../app/events/pulse-events.js';
import type { ServiceStateChanged } from '../../app/heartbeats/heartbeat.events.js';
import { HeartbeatEngine } from '../../app/heartbeats/heartbeat-engine.js';
import { HeartbeatMaintenance } from '../../app/heartbeats/heartbeat-maintenance.js';
import { HeartbeatRepository } from '../../app/heartbeats/heartbeat.repository.js';
import { HeartbeatStore } from '../../app/heartbeats/heartbeat-store.js';
import { MaintenanceRepository } from '../../app/maintenance/maintenance.repository.js';
import { MaintenanceService } from '../../app/maintenance/maintenance.service.js';
import { MetricsService } from '../../app/metrics/metrics.service.js';
import { Clock } from '../../app/runtime/clock.js';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/databases.js';

class ManualClock extends Clock {
  time = Date.UTC(2026, 10, 22, 12, 0, 0);
  override now(): number {
    return this.time;
  }
}

/** `[eventlog]` with one server (SQLite): a line per change once its save commits, in the order decided. */
describe('the event log of a single server on sqlite', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-eventlog-medium-'));
    database = await createTestDatabase('sqlite');
    dataSource = await openDataSource(database);
  });
  after(async () => {
    await dataSource.destroy();
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no change decided just before a clean stop, whichever shuts down first, and keeps the decision order', async () => {
    const clock = new ManualClock();
    const config = new ServerConfig();
    config.data_dir = dir;
    config.eventlog.path = 'events.log';
    config.alarms = [Object.assign(new AlarmConfig(), { name: 'jobs', pattern: 'job.*' })];
    const emitter = new EventEmitter2();
    const events = new EventBus(emitter);
    const metrics = new MetricsService();
    const storage = storageHealthOf(dataSource);
    const repository = new HeartbeatRepository(dataSource);
    const alarms = new AlarmEngine(config, new AlarmRepository(dataSource), events, metrics, storage, clock);
    const maintenance = new MaintenanceService(new MaintenanceRepository(dataSource), events, clock);
    const engine = new HeartbeatEngine(
      config.heartbeat,
      clock,
      events,
      new HeartbeatStore(repository, events, metrics, storage),
      repository,
      new HeartbeatMaintenance(maintenance),
      metrics,
      alarms,
    );
    const eventlog = new EventlogService(config);
    eventlog.onModuleInit();
    emitter.on('service.state-changed', (event: ServiceStateChanged) => eventlog.onServiceStateChanged(event));
    emitter.on('alarm.state-changed', (event: AlarmStateChanged) => eventlog.onAlarmStateChanged(event));
    await engine.onModuleInit();

    engine.update('job.nightly', { beat: true, timeoutMs: 60_000 }, 'http');
    clock.time += 60_001;
    engine.expireDue();
    // The event log's shutdown hook may run before the heartbeat and alarm saves are written (module order).
    await eventlog.onApplicationShutdown();
    await engine.onApplicationShutdown();
    await alarms.onApplicationShutdown();
    // The lines follow their saves: let the last ones through.
    await new Promise((resolve) => setImmediate(resolve));

    const lines = readFileSync(path.join(dir, 'events.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      lines.map(({ kind, name, from, to }) => `${String(kind)} ${String(name)} ${String(from)} → ${String(to)}`),
      ['service job.nightly new → ok', 'service job.nightly ok → error', 'alarm jobs ok → error'],
    );
  });
});
