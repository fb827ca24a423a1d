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
 * Seeding and measuring run in child processes of their own, so RSS and CPU are the running server's only.
 * Traffic goes to 127.0.0.0/8 only; the target server and the steps are child processes waited for or
 * stopped by pid.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { loadServerConfig } from '../../app/config/config.loader.js';
import { MonitorSource } from '../../app/monitors/monitor-source.entity.js';
import { Monitor } from '../../app/monitors/monitor.entity.js';
import { MonitorRuntime } from '../../app/monitors/monitor-runtime.service.js';
import { loadPluginModules } from '../../app/plugin-host/plugin-loader.js';
import { ServerModule } from '../../app/roles/server.module.js';
import { quietLogger } from '../support/databases.js';
import { startProcess } from '../support/processes.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    http: { type: 'string', default: '10000' },
    ping: { type: 'string', default: '1000' },
    // Internal: the orchestrator runs each step in a child process so RSS and CPU are the server's alone.
    step: { type: 'string' },
    phase: { type: 'string' },
    dir: { type: 'string' },
    port: { type: 'string' },
  },
});
const SECONDS = Math.min(3600, Math.max(10, Number(values.seconds)));
const INTERVAL_S = 60;

interface Phase {
  label: string;
  count: number;
  monitor(index: number): Pick<Monitor, 'name' | 'type' | 'target' | 'options'>;
}

function phaseNamed(label: string, count: number, port: number): Phase {
  if (label === 'http')
    return {
      label,
      count,
      monitor: (index) => ({ name: `http ${index}`, type: 'http', target: `http://127.0.0.1:${port}/m/${index}`, options: {} }),
    };
  return {
    label,
    count,
    monitor: (index) => ({ name: `ping ${index}`, type: 'ping', target: `127.0.0.${(index % 250) + 1}`, options: { count: 3 } }),
  };
}

/** Orchestrator: the target server, then per phase a seeding process and a measuring process. */
async function main(): Promise<void> {
  const target = startProcess(process.execPath, ['-e', TARGET_SERVER], { label: 'bench target' });
  const port = (await target.waitForOutput(/listening (\d+)/))[1]!;
  try {
    console.log(`machine: ${os.cpus().length} cores, load average ${loadAverage()} at start; ${SECONDS} s per phase`);
    for (const [label, count] of [
      ['http', values.http!],
      ['ping', values.ping!],
    ] as const) {
      if (Number(count) <= 0) continue;
      const dir = mkdtempSync(path.join(os.tmpdir(), `pulse-bench-${label}-`));
      try {
        const common = ['--phase', label, '--dir', dir, '--port', port, '--seconds', String(SECONDS), `--${label}`, count];
        await runStep([...common, '--step', 'seed']);
        const measured = await runStep([...common, '--step', 'run']);
        process.stdout.write(measured.stdout);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await target.stop();
  }
}

async function runStep(args: string[]) {
  const child = startProcess(process.execPath, [fileURLToPath(import.meta.url), ...args], { label: `bench ${args.join(' ')}` });
  await child.exited;
  if (child.exitCode !== 0) throw new Error(`bench step failed:\n${child.output()}`);
  return child;
}

function serverContext(dir: string): Promise<INestApplicationContext> {
  const { config } = loadServerConfig({ env: { PULSE_DATA_DIR: dir }, cwd: dir, defaultPath: path.join(dir, 'none.toml') });
  return loadPluginModules('server').then((plugins) =>
    NestFactory.createApplicationContext(ServerModule.register({ config, logger: quietLogger, plugins }), {
      logger: quietLogger,
      abortOnError: false,
    }),
  );
}

/** Child step: store the monitors (and a recent result each) with the server's own schema. */
async function seedStep(phase: Phase, dir: string): Promise<void> {
  const context = await serverContext(dir);
  await seed(context.get(DataSource), phase);
  await context.close();
}

/** Child step: start the server module on the seeded database and measure for SECONDS. */
async function measureStep(phase: Phase, dir: string): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const context = await serverContext(dir);
  await context.init();
  const runtime = context.get(MonitorRuntime);
  const jitters: number[] = [];
  runtime.observeStarts((dueAt, startedAt) => jitters.push(startedAt - dueAt));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuStart = process.cpuUsage();
  const childCpuStart = childCpuSeconds();
  const started = Date.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
  const progress = setInterval(
    () => console.error(`  ${phase.label}: ${Math.round((Date.now() - started) / 1000)} s, ${jitters.length} checks started`),
    30_000,
  );
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  clearInterval(sampler);
  clearInterval(progress);
  loop.disable();
  const wallMs = Date.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const childCpu = childCpuSeconds() - childCpuStart;
  const checks = jitters.length;
  await context.close();

  const sorted = jitters.sort((a, b) => a - b);
  const pick = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  console.log(
    [
      `${phase.label}: ${phase.count} monitors at ${INTERVAL_S} s for ${Math.round(wallMs / 1000)} s`,
      `  check-start jitter   p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms, max ${sorted[sorted.length - 1] ?? 0} ms`,
      `  event-loop delay     p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
      `  checks               ${checks} started, ${(checks / (wallMs / 1000)).toFixed(1)}/s (expected ${(phase.count / INTERVAL_S).toFixed(1)}/s)`,
      `  RSS                  peak ${mb(peakRss)} (${mb(rssBefore)} before the server module loaded)`,
      `  CPU                  ${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)} % of one core (user ${Math.round(cpu.user / 1e6)} s, system ${Math.round(cpu.system / 1e6)} s)`,
      `  CPU of children      ${childCpu.toFixed(1)} s (${((childCpu * 1000 * 100) / wallMs).toFixed(1)} % of one core: fping processes)`,
      `  load average         ${loadAverage()} at the end`,
    ].join('\n'),
  );
}

/** User + system time of finished child processes (fping), from /proc: process.cpuUsage() leaves them out. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", field 3 is state; cutime and cstime are fields 16 and 17 of stat(5).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');

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
    await dataSource
      .createQueryBuilder()
      .insert()
      .into(Monitor)
      .values(monitors.slice(start, start + 500) as QueryDeepPartialEntity<Monitor>[])
      .execute();
  }
  const ids = (await dataSource.getRepository(Monitor).find({ select: { id: true } })).map((monitor) => monitor.id);
  const sources = ids.map((monitorId) => ({
    monitorId,
    source: 'public',
    status: 'up' as const,
    latencyMs: 1,
    message: 'seeded',
    checkedAt: now - 30_000,
  }));
  for (let start = 0; start < sources.length; start += 500) {
    await dataSource
      .createQueryBuilder()
      .insert()
      .into(MonitorSource)
      .values(sources.slice(start, start + 500))
      .execute();
  }
}

/** The HTTP target, in its own process so its CPU is not counted as the scheduler's. */
const TARGET_SERVER = `
const http = require('node:http');
const server = http.createServer((request, response) => response.end('ok'));
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

if (values.step === undefined) await main();
else {
  const phase = phaseNamed(values.phase!, Number(values[values.phase as 'http' | 'ping']), Number(values.port));
  if (values.step === 'seed') await seedStep(phase, values.dir!);
  else await measureStep(phase, values.dir!);
}
