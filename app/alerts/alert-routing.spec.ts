import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerConfig } from '../config/config.schema.js';
import type { MonitorStateChanged } from '../monitors/monitor.events.js';
import type { AlertEvent } from '../plugin-host/contracts.js';
import { Clock } from '../runtime/clock.js';
import type { AlertDispatcher } from './alert-dispatcher.service.js';
import { AlertRoutingService } from './alert-routing.service.js';
import type { StorageHealth } from '../database/storage-health.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { isAlertable } from './monitor-alert-policy.js';

/** What tells the routing that the database works again (StorageHealth in the server). */
function storageStub() {
  const listeners = new Set<() => void>();
  return {
    onRecovered: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
    recover: () => listeners.forEach((listener) => listener()),
  };
}

/** Records what routing hands to the queue; the queue itself is tested end to end. */
function routing(refuse: { count: number } = { count: 0 }) {
  const queued: { event: AlertEvent; channels: readonly string[] }[] = [];
  const dispatcher = {
    dispatch: async (event: AlertEvent, channels: readonly string[]) => {
      if (refuse.count-- > 0) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      queued.push({ event, channels });
    },
  } as unknown as AlertDispatcher;
  const config = new ServerConfig();
  config.public_url = 'https://pulse.example.com/sub/';
  const storage = storageStub();
  const service = new AlertRoutingService(dispatcher, config, new Clock(), storage as unknown as StorageHealth, new MetricsService());
  return { service, queued, storage };
}

function change(from: string, to: string, at: number): MonitorStateChanged {
  return {
    monitorId: 7,
    name: 'web',
    type: 'http',
    target: 'https://web',
    from,
    to,
    incidentNumber: 3,
    message: to === 'down' ? 'HTTP 503' : 'HTTP 200',
    at,
    since: at - 60_000,
    sources: [],
    alerts: ['ops'],
  } as MonitorStateChanged;
}

describe('monitor alert policy', () => {
  it('alerts on trouble and on recovery from trouble only', () => {
    assert.equal(isAlertable('up', 'down'), true);
    assert.equal(isAlertable('up', 'warning'), true);
    assert.equal(isAlertable('warning', 'down'), true);
    assert.equal(isAlertable('down', 'up'), true);
    assert.equal(isAlertable('pending', 'down'), true, 'a new monitor that is down from the start');
    for (const [from, to] of [
      ['pending', 'up'],
      ['up', 'paused'],
      ['paused', 'pending'],
      ['up', 'maintenance'],
      ['maintenance', 'up'],
      ['down', 'maintenance'],
    ]) {
      assert.equal(isAlertable(from!, to!), false, `${from} → ${to}`);
    }
    assert.equal(isAlertable('maintenance', 'down'), true, 'still down when the window ends');
  });

  it("sends monitor changes to the monitor's channels with a console link", async () => {
    const { service, queued } = routing();
    await service.onMonitorStateChanged(change('up', 'down', 1000));
    assert.equal(queued.length, 1);
    assert.deepEqual(queued[0]!.channels, ['ops']);
    assert.equal(queued[0]!.event.url, 'https://pulse.example.com/sub/monitors/7');
    assert.equal(queued[0]!.event.incidentNumber, 3);
  });

  it('keeps alerts the database refused (a full disk) in memory, in order, and queues them once it recovers', async () => {
    const { service, queued, storage } = routing({ count: 3 });
    await service.onMonitorStateChanged(change('up', 'down', 1000));
    await service.onMonitorStateChanged(change('down', 'up', 2000));
    assert.equal(queued.length, 0, 'nothing queued while the database refuses');
    for (let wait = 0; wait < 100 && queued.length < 2; wait++) {
      storage.recover();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(
      queued.map(({ event }) => event.toState),
      ['down', 'up'],
    );
  });

  it('says once that a monitor is flapping, holds its alerts, and says when it settles', async () => {
    const { service, queued } = routing();
    let at = 0;
    let state = 'up';
    for (let result = 0; result < 14; result++) {
      const next = result % 2 ? 'up' : 'down';
      at += 60_000;
      service.onMonitorEvaluated({ monitorId: 7, state: next as MonitorStateChanged['to'], at });
      await service.onMonitorStateChanged(change(state, next, at));
      state = next;
    }
    const flappingNotices = queued.filter(({ event }) => event.toState === 'flapping');
    assert.equal(flappingNotices.length, 1, 'one notice when it starts flapping');
    const before = queued.indexOf(flappingNotices[0]!);
    assert.ok(before >= 8, `the first changes were alerted one by one (${before})`);
    assert.equal(queued.length, before + 1, 'nothing more while it flaps');
    assert.deepEqual(service.flappingMonitors(), [7]);

    for (let result = 0; result < 21; result++) {
      at += 60_000;
      service.onMonitorEvaluated({ monitorId: 7, state: 'up', at });
    }
    await new Promise((resolve) => setImmediate(resolve));
    const settled = queued.at(-1)!.event;
    assert.equal(settled.fromState, 'flapping');
    assert.equal(settled.toState, 'up');
    assert.equal(settled.recovered, true);
    assert.match(settled.message, /^stopped flapping \(\d+% state change over the last 21 checks\); it is up now$/);
    assert.deepEqual(service.flappingMonitors(), []);
  });
});
