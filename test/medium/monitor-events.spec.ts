import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AlertChannelsService } from '../../app/alerts/alert-channels.service.js';
import { loadServerConfig } from '../../app/config/config.loader.js';
import type { MonitorStateChanged } from '../../app/monitors/monitor.events.js';
import { MonitorService } from '../../app/monitors/monitor.service.js';
import { MonitorsQuery } from '../../app/monitors/monitors.query.js';
import { loadPluginModules } from '../../app/plugin-host/plugin-loader.js';
import { ServerModule } from '../../app/roles/server.module.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { quietLogger } from '../support/databases.js';
import { freePort } from '../support/ports.js';

/** The event the alerts feature will consume: what it carries, from the real server module on SQLite. */
describe('monitor.state-changed', () => {
  let context: INestApplicationContext;
  let dataDir: string;
  let receiver: HttpReceiver;
  const events: MonitorStateChanged[] = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-events-'));
    const { config } = loadServerConfig({ env: { PULSE_DATA_DIR: dataDir }, cwd: dataDir, defaultPath: path.join(dataDir, 'none.toml') });
    const plugins = await loadPluginModules('server');
    context = await NestFactory.createApplicationContext(ServerModule.register({ config, logger: quietLogger, plugins }), {
      logger: quietLogger,
      abortOnError: false,
    });
    await context.init();
    context.get(EventEmitter2).on('monitor.state-changed', (event: MonitorStateChanged) => events.push(event));
    // Monitors may only name alert channels that exist.
    receiver = await HttpReceiver.start();
    await context.get(AlertChannelsService).create({ name: 'ops-mail', type: 'webhook', settings: { url: `${receiver.url}/ops` } });
  });
  after(async () => {
    await context?.close();
    await receiver?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const nextEvent = async (count: number) => {
    const deadline = Date.now() + 20_000;
    while (events.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(events.length >= count, `expected ${count} event(s), got ${events.length}`);
    return events[count - 1]!;
  };

  it('carries monitor, states, incident, cause, times and sources on every change', async () => {
    const monitors = context.get(MonitorService);
    const port = await freePort();
    const created = await monitors.create({
      name: 'Database',
      type: 'port',
      target: `127.0.0.1:${port}`,
      interval: 60,
      retries: 0,
      alerts: ['ops-mail'],
    });
    const down = await nextEvent(1);
    assert.deepEqual(
      { ...down, at: typeof down.at, sources: down.sources.map((source) => ({ ...source, checkedAt: typeof source.checkedAt })) },
      {
        monitorId: created.id,
        name: 'Database',
        type: 'port',
        target: `127.0.0.1:${port}`,
        from: 'pending',
        to: 'down',
        incidentNumber: 1,
        message: 'connection refused',
        at: 'number',
        since: null,
        sources: [
          {
            source: 'public',
            name: 'Public',
            location: null,
            status: 'down',
            latencyMs: null,
            message: 'connection refused',
            checkedAt: 'number',
          },
        ],
        alerts: ['ops-mail'],
      },
    );
    await monitors.pause(created.id);
    const paused = await nextEvent(2);
    assert.deepEqual([paused.from, paused.to, paused.incidentNumber, paused.since], ['down', 'paused', 1, down.at]);
    const stored = await context.get(MonitorsQuery).incidentsOf(created.id);
    assert.deepEqual(
      stored.incidents.map((incident) => [incident.number, incident.status, incident.resolution]),
      [[1, 'resolved', 'paused']],
    );
  });
});
