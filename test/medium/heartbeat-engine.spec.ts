import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { AlarmEngine } from '../../app/alarms/alarm-engine.js';
import type { AlarmStateChanged } from '../../app/alarms/alarm.events.js';
import { AlarmRepository } from '../../app/alarms/alarm.repository.js';
import { AlarmConfig, ServerConfig } from '../../app/config/config.schema.js';
import { EventBus } from '../../app/events/pulse-events.js';
import type { ServiceStateChanged } from '../../app/heartbeats/heartbeat.events.js';
import { HeartbeatEngine } from '../../app/heartbeats/heartbeat-engine.js';
import { HeartbeatMaintenance } from '../../app/heartbeats/heartbeat-maintenance.js';
import { HeartbeatMaintenanceListener } from '../../app/heartbeats/heartbeat-maintenance.listener.js';
import { MaintenanceRepository } from '../../app/maintenance/maintenance.repository.js';
import { MaintenanceService } from '../../app/maintenance/maintenance.service.js';
import { HeartbeatRepository } from '../../app/heartbeats/heartbeat.repository.js';
import { HeartbeatStore } from '../../app/heartbeats/heartbeat-store.js';
import { AUTO_TIMEOUT } from '../../app/heartbeats/heartbeat-values.js';
import { storageHealthOf } from '../../app/database/storage-health.js';
import { MetricsService } from '../../app/metrics/metrics.service.js';
import { Clock } from '../../app/runtime/clock.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';

class ManualClock extends Clock {
  time = Date.UTC(2026, 10, 22, 12, 0, 0);
  override now(): number {
    return this.time;
  }
}

const MINUTE = 60_000;

function alarm(name: string, pattern: string): AlarmConfig {
  return Object.assign(new AlarmConfig(), { name, pattern });
}

/** An engine (with the alarms grouping its services) as the server builds it, on a real database, with a clock the test moves. */
async function startEngine(dataSource: DataSource, clock: Clock, configure: (config: ServerConfig) => void = () => undefined) {
  const config = new ServerConfig();
  config.alarms = [alarm('server-$name', 'app.$name.*'), alarm('backups', 'backup.*')];
  configure(config);
  const emitter = new EventEmitter2();
  const events = new EventBus(emitter);
  const metrics = new MetricsService();
  const repository = new HeartbeatRepository(dataSource);
  const maintenance = new MaintenanceService(new MaintenanceRepository(dataSource), events, clock);
  const storage = storageHealthOf(dataSource);
  const alarms = new AlarmEngine(config, new AlarmRepository(dataSource), events, metrics, storage);
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
  // What Nest's event wiring does in the server: windows starting and ending move services.
  const listener = new HeartbeatMaintenanceListener(engine);
  emitter.on('maintenance.started', (event) => listener.onMaintenanceStarted(event));
  emitter.on('maintenance.ended', (event) => listener.onMaintenanceEnded(event));
  const serviceEvents: ServiceStateChanged[] = [];
  const alarmEvents: AlarmStateChanged[] = [];
  emitter.on('service.state-changed', (event: ServiceStateChanged) => serviceEvents.push(event));
  emitter.on('alarm.state-changed', (event: AlarmStateChanged) => alarmEvents.push(event));
  await engine.onModuleInit();
  const stop = async () => {
    await engine.onApplicationShutdown();
    await alarms.onApplicationShutdown();
  };
  return { engine, alarms, serviceEvents, alarmEvents, metrics, maintenance, stop };
}

for (const kind of databaseKinds()) {
  describe(`heartbeat state engine on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
    });
    after(async () => {
      await dataSource.destroy();
      await database.dispose();
    });

    it('goes ok → error when the deadline passes, raises the alarm with a new incident, and recovers on a beat', async () => {
      const clock = new ManualClock();
      const { engine, alarms, serviceEvents, alarmEvents, stop } = await startEngine(dataSource, clock);
      engine.update('app.alpha.health', { beat: true, timeoutMs: MINUTE }, 'udp');
      engine.update('app.alpha.jobs', { beat: true }, 'udp');
      const service = engine.services.get('app.alpha.health')!;
      assert.equal(service.state, 'ok');
      assert.deepEqual(service.alarms, ['server-alpha']);
      const serverAlpha = alarms.get('server-alpha')!;
      assert.equal(serverAlpha.incidentNbr, 0, 'creating an alarm is not an incident');

      clock.time += MINUTE;
      engine.expireDue();
      assert.equal(service.state, 'ok', 'exactly at the timeout it is still ok');
      clock.time += 1;
      engine.expireDue();
      assert.equal(service.state, 'error');
      assert.equal(alarms.get('server-alpha')!.state, 'error');
      const timeout = serviceEvents.find((event) => event.to === 'error')!;
      assert.deepEqual(
        { ...timeout, at: 0, since: 0 },
        {
          name: 'app.alpha.health',
          from: 'ok',
          to: 'error',
          at: 0,
          since: 0,
          reason: 'timeout',
          lastBeat: clock.time - MINUTE - 1,
          timeoutMs: MINUTE,
          effectiveTimeoutMs: MINUTE,
          alarms: ['server-alpha'],
        },
      );
      assert.deepEqual(
        alarmEvents.map(({ name, from, to, incidentNbr, failedServices }) => ({ name, from, to, incidentNbr, failedServices })),
        [{ name: 'server-alpha', from: 'ok', to: 'error', incidentNbr: 1, failedServices: ['app.alpha.health'] }],
      );

      engine.update('app.alpha.health', { beat: true }, 'http');
      assert.equal(service.state, 'ok');
      assert.equal(alarms.get('server-alpha')!.state, 'ok');
      clock.time += 2 * MINUTE;
      engine.expireDue();
      assert.equal(alarms.get('server-alpha')!.incidentNbr, 2, 'the next ok → error is incident 2');
      await stop();
    });

    it('restores every service, its history and deadline after a restart; one that expired meanwhile is in error', async () => {
      const clock = new ManualClock();
      const first = await startEngine(dataSource, clock);
      for (let beat = 0; beat < 4; beat++) {
        first.engine.update('backup.db', { beat: true, timeoutMs: AUTO_TIMEOUT }, 'tcp');
        clock.time += MINUTE;
      }
      clock.time -= MINUTE;
      first.engine.update('backup.files', { beat: true, timeoutMs: 10 * MINUTE }, 'tcp');
      first.engine.update('never.beat', { beat: false, timeoutMs: MINUTE }, 'tcp');
      const before = first.engine.services.get('backup.db')!;
      assert.deepEqual(before.intervals(), [MINUTE, MINUTE, MINUTE]);
      assert.equal(before.effectiveTimeout(), 61_000);
      await first.stop();

      clock.time += 5 * MINUTE;
      const second = await startEngine(dataSource, clock);
      const restored = second.engine.services.get('backup.db')!;
      assert.deepEqual(restored.intervals(), [MINUTE, MINUTE, MINUTE], 'the beat history survives, in time order');
      assert.equal(restored.timeoutMs, AUTO_TIMEOUT);
      assert.equal(restored.state, 'error', 'its deadline passed while the server was down');
      assert.equal(second.engine.services.get('backup.files')!.state, 'ok', 'its deadline is still ahead');
      assert.equal(second.engine.services.get('never.beat')!.state, 'new');
      assert.ok(second.serviceEvents.some((event) => event.name === 'backup.db' && event.to === 'error' && event.reason === 'restart'));
      assert.equal(second.alarms.get('backups')!.state, 'error');
      clock.time += 5 * MINUTE + 1;
      second.engine.expireDue();
      assert.equal(second.engine.services.get('backup.files')!.state, 'error', 'the restored deadline still fires');
      await second.stop();
    });

    it('keeps an automatic timeout in learning (new, no alarm) until two intervals exist', async () => {
      const clock = new ManualClock();
      const { engine, alarms, stop } = await startEngine(dataSource, clock);
      engine.update('app.learner.x', { beat: true, timeoutMs: AUTO_TIMEOUT }, 'udp');
      clock.time += MINUTE;
      engine.update('app.learner.x', { beat: true }, 'udp');
      const service = engine.services.get('app.learner.x')!;
      clock.time += 60 * MINUTE;
      engine.expireDue();
      assert.equal(service.state, 'new', 'one interval: still learning');
      assert.equal(alarms.get('server-learner')!.state, 'ok');
      engine.update('app.learner.x', { beat: true }, 'udp');
      assert.equal(service.state, 'ok');
      assert.equal(service.effectiveTimeout() > 0, true);
      engine.update('app.learner.x', { beat: true }, 'udp');
      assert.equal(service.intervals().length, 2, 'a beat within 1 s of the previous one records no interval');
      await stop();
    });

    it('records runs between .start and the next beat or .fail, and holds .fail as error until a beat', async () => {
      const clock = new ManualClock();
      const { engine, serviceEvents, stop } = await startEngine(dataSource, clock);
      engine.start('job.nightly', 'http');
      clock.time += 90_000;
      engine.update('job.nightly', { beat: true }, 'http');
      engine.start('job.nightly', 'http');
      clock.time += 30_000;
      engine.fail('job.nightly', 'http');
      const service = engine.services.get('job.nightly')!;
      assert.equal(service.state, 'error');
      assert.equal(serviceEvents.at(-1)!.reason, 'failed');
      assert.deepEqual(
        service.runs.map((run) => [run.duration_ms, run.result]),
        [
          [90_000, 'ok'],
          [30_000, 'failed'],
        ],
      );
      engine.update('job.nightly', { beat: true }, 'http');
      assert.equal(service.state, 'ok');
      await stop();
    });

    it('puts a service beating more often than min_interval in error until a beat comes late enough', async () => {
      const clock = new ManualClock();
      const { engine, stop } = await startEngine(dataSource, clock);
      engine.update('chatty', { beat: true, minIntervalMs: 10 * MINUTE }, 'udp');
      clock.time += MINUTE;
      engine.update('chatty', { beat: true }, 'udp');
      const service = engine.services.get('chatty')!;
      assert.equal(service.state, 'error');
      assert.equal(service.problem, 'too_often');
      clock.time += 11 * MINUTE;
      engine.update('chatty', { beat: true }, 'udp');
      assert.equal(service.state, 'ok');
      await stop();
    });

    it('leaves muted services out of alarms, and deletes only empty alarms', async () => {
      const clock = new ManualClock();
      const { engine, alarms, stop } = await startEngine(dataSource, clock);
      engine.update('app.gamma.x', { beat: true, timeoutMs: MINUTE }, 'udp');
      clock.time += 2 * MINUTE;
      engine.expireDue();
      const service = engine.services.get('app.gamma.x')!;
      assert.equal(alarms.get('server-gamma')!.state, 'error');
      engine.mute(service.name);
      assert.equal(service.state, 'muted');
      assert.equal(alarms.get('server-gamma')!.state, 'ok');
      engine.unmute(service.name);
      assert.equal(service.state, 'error', 'unmuted, it is still past its deadline');
      assert.equal(alarms.remove('server-gamma'), false, 'not while it has services');
      engine.remove(service.name);
      assert.equal(alarms.remove('server-gamma'), true);
      engine.update('app.gamma.y', { beat: true }, 'udp');
      assert.ok(alarms.all.has('server-gamma'), 'it reappears with a matching service');
      await stop();
    });

    it('keeps an emptied alarm across a restart while its definition exists, and drops it when the definition is gone', async () => {
      const clock = new ManualClock();
      const first = await startEngine(dataSource, clock);
      first.engine.update('app.delta.x', { beat: true, timeoutMs: MINUTE }, 'udp');
      clock.time += 2 * MINUTE;
      first.engine.expireDue();
      first.engine.remove('app.delta.x');
      assert.equal(first.alarms.get('server-delta')!.incidentNbr, 1);
      await first.stop();

      const second = await startEngine(dataSource, clock);
      const kept = second.alarms.get('server-delta')!;
      assert.deepEqual([kept.state, kept.incidentNbr, kept.members.size], ['ok', 1, 0]);
      await second.stop();

      const third = await startEngine(
        dataSource,
        clock,
        (config) => (config.alarms = config.alarms.filter((item) => item.name !== 'server-$name')),
      );
      assert.equal(third.alarms.all.has('server-delta'), false);
      await third.stop();
      const rows = await dataSource.query(`SELECT COUNT(*) AS n FROM "heartbeat_alarms" WHERE "name" = 'server-delta'`);
      assert.equal(Number(rows[0].n), 0);
    });

    it("shows maintenance inside a window, raises no alarm, and counts the deadline from the window's end, across a restart", async () => {
      const clock = new ManualClock();
      const first = await startEngine(dataSource, clock);
      first.engine.update('backup.db', { beat: true, timeoutMs: 10 * MINUTE }, 'udp');
      first.engine.update('app.gamma.web', { beat: true, timeoutMs: 10 * MINUTE }, 'udp');
      const windowStart = clock.time + MINUTE;
      const windowEnd = windowStart + 60 * MINUTE;
      await new MaintenanceRepository(dataSource).insert(
        {
          name: 'backup upgrade',
          startsAt: windowStart,
          endsAt: windowEnd,
          cron: null,
          durationMin: null,
          timezone: 'UTC',
          all: false,
          monitorIds: [],
          services: 'backup.*',
          agentIds: [],
        },
        clock.time,
      );
      clock.time = windowStart;
      await first.maintenance.reload();
      assert.equal(first.engine.services.get('backup.db')!.state, 'maintenance');
      assert.equal(first.engine.services.get('app.gamma.web')!.state, 'ok', 'outside the scope nothing changes');

      clock.time = windowStart + 30 * MINUTE; // the backup job's deadline passes inside the window
      first.engine.expireDue();
      assert.equal(first.engine.services.get('backup.db')!.state, 'maintenance');
      assert.equal(first.alarmEvents.filter((event) => event.name === 'backups').length, 0, 'no alarm inside the window');

      clock.time = windowEnd;
      await first.maintenance.reload();
      const backup = first.engine.services.get('backup.db')!;
      assert.equal(backup.state, 'ok', 'after the window the job gets a full timeout from the end');
      assert.equal(backup.deadline(), windowEnd + 10 * MINUTE + 1);
      await first.stop();

      const second = await startEngine(dataSource, clock);
      assert.equal(
        second.engine.services.get('backup.db')!.deadline(),
        windowEnd + 10 * MINUTE + 1,
        'the restarted deadline survives a restart',
      );
      clock.time = windowEnd + 10 * MINUTE + 1;
      second.engine.expireDue();
      assert.equal(second.engine.services.get('backup.db')!.state, 'error');
      await second.stop();
    });

    it('refuses new names beyond [heartbeat] max_services but keeps serving the existing ones', async () => {
      const clock = new ManualClock();
      const fresh = await createTestDatabase(kind);
      const source = await openDataSource(fresh);
      try {
        const { engine, metrics, stop } = await startEngine(source, clock, (config) => (config.heartbeat.max_services = 3));
        for (let index = 0; index < 10; index++) engine.update(`flood.${index}`, { beat: true }, 'udp');
        assert.equal(engine.services.size, 3);
        assert.equal(engine.update('flood.0', { beat: true }, 'udp'), true);
        assert.equal(engine.update('flood.new', { beat: true }, 'udp'), false);
        assert.match(await metrics.render(), /^pulse_heartbeat_services_refused_total 8$/m);
        await stop();
        const rows = await source.query(`SELECT COUNT(*) AS n FROM "heartbeat_services"`);
        assert.equal(Number(rows[0].n), 3, 'nothing beyond the cap reaches the database');
      } finally {
        await source.destroy();
        await fresh.dispose();
      }
    });

    it('forgets services one beat created and nobody configured once they are silent for forget_unseen_days, for good', async () => {
      const clock = new ManualClock();
      const fresh = await createTestDatabase(kind);
      const source = await openDataSource(fresh);
      const exactAlarm = (config: ServerConfig) => config.alarms.push(alarm('billing', 'billing.export'));
      try {
        const first = await startEngine(source, clock, exactAlarm);
        for (const name of ['stray.one', 'stray.two', 'app.stray.x', 'billing.export', 'timed.job', 'regular.job']) {
          first.engine.update(name, { beat: true }, 'udp');
        }
        first.engine.update('timed.job', { beat: false, timeoutMs: AUTO_TIMEOUT }, 'udp');
        first.engine.update('muted.job', { beat: true }, 'http');
        first.engine.mute('muted.job');
        clock.time += MINUTE;
        first.engine.update('regular.job', { beat: true }, 'udp');
        const week = 7 * 24 * 60 * MINUTE;
        assert.deepEqual(first.engine.forgetUnseen(week, clock.time + week - MINUTE - 1), [], 'nothing before the week is over');
        clock.time += week;
        assert.deepEqual(first.engine.forgetUnseen(week), ['app.stray.x', 'stray.one', 'stray.two']);
        assert.equal(first.alarms.get('server-stray')!.members.size, 0, 'it left its alarm');
        await first.stop();

        const second = await startEngine(source, clock, exactAlarm);
        assert.deepEqual([...second.engine.services.keys()].sort(), ['billing.export', 'muted.job', 'regular.job', 'timed.job']);
        await second.stop();
      } finally {
        await source.destroy();
        await fresh.dispose();
      }
    });
  });
}
