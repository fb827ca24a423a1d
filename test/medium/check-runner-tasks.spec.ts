import 'reflect-metadata';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Logger, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PluginHostModule } from '../../app/plugin-host/plugin-host.module.js';
import { loadPluginModules } from '../../app/plugin-host/plugin-loader.js';
import { PluginRegistry } from '../../app/plugin-host/plugin-registry.js';
import { CheckRunner } from '../../app/scheduler/check-runner.js';
import { parseCheckTask, type CheckOutcome } from '../../app/scheduler/check-task.js';
import { PulseLogger, StderrSink } from '../../app/logging/pulse-logger.js';
import { waitUntil } from '../support/wait.js';

const quietLogger = new PulseLogger(new StderrSink(), 'warn');

/**
 * What a poller will do with `GET /api/poller/tasks`: parse the JSON task list and run it through the
 * same check runner and the same plugins as the server, with no database and no server module: only the
 * plugin host with the poller's plugins, against real peers on loopback.
 */
describe('check runner with the poller plugins, tasks from JSON (no database)', () => {
  let plugins: INestApplicationContext;
  let web: http.Server;
  let tcp: net.Server;
  let closedPort: number;

  before(async () => {
    const refs = await loadPluginModules('poller');
    @Module({ imports: [PluginHostModule.forRoot(refs)] })
    class PollerPluginsModule {}
    Logger.overrideLogger(quietLogger);
    plugins = await NestFactory.createApplicationContext(PollerPluginsModule, { logger: quietLogger, abortOnError: false });
    web = http.createServer((_request, response) => response.end('<h1>Welcome</h1>'));
    tcp = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const spare = net.createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
  });
  after(async () => {
    await plugins?.close();
    web?.close();
    tcp?.close();
  });

  it('runs http and port tasks from a JSON task list and reports each outcome, re-checking a failing one first', async () => {
    const webPort = (web.address() as AddressInfo).port;
    const tcpPort = (tcp.address() as AddressInfo).port;
    const body = JSON.stringify({
      tasks: [
        {
          id: 1,
          type: 'http',
          target: `http://127.0.0.1:${webPort}/`,
          options: { keyword: 'Welcome' },
          interval: 60,
          timeout: 5,
          retries: 0,
        },
        { id: 2, type: 'port', target: `127.0.0.1:${tcpPort}`, options: {}, interval: 60, timeout: 5, retries: 0 },
        { id: 3, type: 'port', target: `127.0.0.1:${closedPort}`, options: {}, interval: 60, timeout: 5, retries: 1 },
        {
          id: 4,
          type: 'http',
          target: `http://127.0.0.1:${webPort}/`,
          options: { keyword: 'Goodbye' },
          interval: 60,
          timeout: 5,
          retries: 0,
        },
      ],
    });
    const outcomes = new Map<number, CheckOutcome>();
    const runner = new CheckRunner({
      plugins: plugins.get(PluginRegistry),
      consumer: { onCheckOutcome: (outcome) => outcomes.set(outcome.task.id, outcome) },
      maxConcurrent: 10,
      logger: quietLogger,
      // Kept short so the test does not wait out SPEC's 5 s and 20 s; the rules are the same.
      firstRunWindowMs: 200,
      retryDelayMs: 100,
    });
    try {
      for (const raw of (JSON.parse(body) as { tasks: unknown[] }).tasks) assert.equal(runner.upsert(parseCheckTask(raw)), null);
      await waitUntil('an outcome for every task', () => outcomes.size === 4, 15_000);
      assert.deepEqual(
        [1, 2, 3, 4].map((id) => [outcomes.get(id)!.result.status, outcomes.get(id)!.result.message, outcomes.get(id)!.attempts]),
        [
          ['up', 'HTTP 200', 1],
          ['up', `port ${tcpPort} open`, 1],
          ['down', 'connection refused', 2],
          ['down', 'HTTP 200, keyword "Goodbye" not found', 1],
        ],
      );
    } finally {
      await runner.stop();
    }
  });

  it('says at once when a task names a check the poller does not have, or options its plugin refuses', async () => {
    const runner = new CheckRunner({
      plugins: plugins.get(PluginRegistry),
      consumer: { onCheckOutcome: () => undefined },
      maxConcurrent: 1,
      logger: quietLogger,
    });
    try {
      assert.equal(
        runner.upsert(parseCheckTask({ id: 5, type: 'gopher', target: 'x', interval: 60, timeout: 5, retries: 0 }))?.reason,
        'unknown-type',
      );
      const refused = runner.upsert(
        parseCheckTask({
          id: 6,
          type: 'http',
          target: 'http://127.0.0.1/',
          options: { method: 'BREW' },
          interval: 60,
          timeout: 5,
          retries: 0,
        }),
      );
      assert.equal(refused?.reason, 'invalid-options');
      assert.deepEqual(
        refused?.fields?.map((field) => field.field),
        ['method'],
      );
    } finally {
      await runner.stop();
    }
  });
});
