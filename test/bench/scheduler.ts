/**
 * `npm run bench:scheduler`: the real server module (SQLite in a temp dir, the real check plugins) running
 * 10,000 HTTP monitors at a 60 s interval against a local HTTP server, then 1,000 ping monitors at 60 s
 * against loopback addresses, for at least 3 minutes each. Prints check-start jitter p50/p99/max, event-loop
 * delay p99, checks/s, RSS and CPU. Figures, not a test: nothing is asserted.
 *
 *   node dist/test/bench/scheduler.js [--seconds 180] [--http 10000] [--ping 1000]
 *
 * Monitors are stored as if the server had been running (each with a recent result), so the run shows the
 * steady state after a restart rather than the first-check burst of 10,000 monitors created at once.
 * Traffic goes to 127.0.0.0/8 only; the target server is a child process stopped by pid.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { loadServerConfig } from '../../app/config/config.loader.js';
import { MonitorSource } from '../../app/monitors/monitor-source.entity.js';
import { Monitor } from '../../app/monitors/monitor.entity.js';
import { MonitorRuntime } from '../../app/monitors/monitor-runtime.service.js';
import { loadPluginModules, ROLE_PLUGIN_KINDS } from '../../app/plugin-host/plugin-loader.js';
import { ServerModule } from '../../app/roles/server.module.js';
import { quietLogger } from '../support/databases.js';
import { startProcess } from '../support/processes.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '180' }, http: { type: 'string', default: '10000' }, ping: { type: 'string', default: '1000' } } });
const SECONDS = Math.min(3600, Math.max(10, Number(values.seconds)));
const INTERVAL_S = 60;

interface Phase {
  label: string;
  count: number;
  monitor(index: number): Pick<Monitor, 'name' | 'type' | 'target' | 'options'>;
}

async function main(): Promise<void> {
  const target = startProcess(process.execPath, ['-e', TARGET_SERVER], { label: 'bench target' });
  const port = Number((await target.waitForOutput(/listening (\d+)/))[1]);
  try {
    const phases: Phase[] = [
      { label: 'http', count: Number(values.http), monitor: (index) => ({ name: `http ${index}`, type: 'http', target: `http://127.0.0.1:${port}/m/${index}`, options: {} }) },
      { label: 'ping', count: Number(values.ping), monitor: (index) => ({ name: `ping ${index}`, type: 'ping', target: `127.0.0.${(index % 250) + 1}`, options: { count: 3 } }) },
    ];
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} at start; ${SECONDS} s per phase`);
    for (const phase of phases) if (phase.count > 0) await runPhase(phase);
  } finally {
    await target.stop();
  }
}

async function runPhase(phase: Phase): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `pulse-bench-${phase.label}-`));
  const { config } = loadServerConfig({ env: { PULSE_DATA_DIR: dataDir }, cwd: dataDir, defaultPath: path.join(dataDir, 'none.toml') });
  const plugins = await loadPluginModules(ROLE_PLUGIN_KINDS.server);
  const create = () => NestFactory.createApplicationContext(ServerModule.register({ config, logger: quietLogger, plugins }), { logger: quietLogger, abortOnError: false });

  // Store the monitors (and a recent result each) with the server's own schema, then start it for real.
  let context: INestApplicationContext = await create();
  await seed(context.get(DataSource), phase);
  await context.close();

  const rssBefore = process.memoryUsage().rss;
  context = await create();
  await context.init();
  const runtime = context.get(MonitorRuntime);
  const jitters: number[] = [];
  runtime.observeStarts((dueAt, startedAt) => jitters.push(startedAt - dueAt));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuStart = process.cpuUsage();
  const started = Date.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
  const progress = setInterval(() => console.log(`  ${phase.label}: ${Math.round((Date.now() - started) / 1000)} s, ${jitters.length} checks started`), 30_000);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  clearInterval(sampler);
  clearInterval(progress);
  loop.disable();
  const wallMs = Date.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const checks = jitters.length;
  await context.close();
  rmSync(dataDir, { recursive: true, force: true });

  const sorted = jitters.sort((a, b) => a - b);
  const pick = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  console.log(
    [
      `${phase.label}: ${phase.count} monitors at ${INTERVAL_S} s for ${Math.round(wallMs / 1000)} s`,
      `  check-start jitter   p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms, max ${sorted[sorted.length - 1] ?? 0} ms`,
      `  event-loop delay     p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
      `  checks               ${checks} started, ${(checks / (wallMs / 1000)).toFixed(1)}/s (expected ${(phase.count / INTERVAL_S).toFixed(1)}/s)`,
      `  RSS                  peak ${mb(peakRss)} (process before start ${mb(rssBefore)})`,
      `  CPU                  ${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)} % of one core (user ${Math.round(cpu.user / 1e6)} s, system ${Math.round(cpu.system / 1e6)} s)`,
      `  load average         ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} at the end`,
    ].join('\n'),
  );
}

async function seed(dataSource: DataSource, phase: Phase): Promise<void> {
  const now = Date.now();
  const monitors = Array.from({ length: phase.count }, (_unused, index) => ({
    ...phase.monitor(index),
    intervalS: INTERVAL_S,
    timeoutS: 10,
    retries: 1,
    quorum: null,
    pollers: [],
    alerts: [],
    paused: false,
    status: 'up' as const,
    statusMessage: 'seeded',
    lastChangeAt: now - 3_600_000,
    incidentNumber: 0,
    createdAt: now,
    updatedAt: now,
  }));
  for (let start = 0; start < monitors.length; start += 500) {
    await dataSource.createQueryBuilder().insert().into(Monitor).values(monitors.slice(start, start + 500) as QueryDeepPartialEntity<Monitor>[]).execute();
  }
  const ids = (await dataSource.getRepository(Monitor).find({ select: { id: true } })).map((monitor) => monitor.id);
  const sources = ids.map((monitorId) => ({ monitorId, source: 'public', status: 'up' as const, latencyMs: 1, message: 'seeded', checkedAt: now - 30_000 }));
  for (let start = 0; start < sources.length; start += 500) {
    await dataSource.createQueryBuilder().insert().into(MonitorSource).values(sources.slice(start, start + 500)).execute();
  }
}

/** The HTTP target, in its own process so its CPU is not counted as the scheduler's. */
const TARGET_SERVER = `
const http = require('node:http');
const server = http.createServer((request, response) => response.end('ok'));
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

await main();
