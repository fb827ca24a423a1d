/**
 * `npm run bench:pollers`: the poller executable under load, against a real server (from source) on
 * loopback.
 *
 *   1. One poller running 5,000 HTTP monitors at 60 s: how late checks start after they are due (the
 *      poller's own per-minute summary: p50, p99, max), the poller's RSS and CPU.
 *   2. The replay of a one-hour backlog of 1,000 monitors at 60 s (60,000 results, written into the
 *      poller's outbox before it starts): how long until it has caught up (target < 30 s), and from the
 *      server's database: none lost, none stored or counted twice.
 *
 * Environment: BENCH_MONITORS (5000), BENCH_MEASURE_S (180), BENCH_REPLAY_MONITORS (1000),
 * BENCH_REPLAY_MINUTES (60), BENCH_PARTS (steady,replay), BENCH_SERVER_NODE_ARGS. Prints figures; asserts nothing. The server's own (public) checks of the
 * same monitors run on the same machine meanwhile.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DiskOutbox } from '../../app/link/disk-outbox.js';
import { BIN_DIR, buildBinaries } from '../../scripts/build-binaries.js';
import { PulseServer } from '../peers/pulse-server.js';
import { startProcess, type TestProcess } from '../support/processes.js';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 5000);
const MEASURE_S = Number(process.env.BENCH_MEASURE_S ?? 180);
const REPLAY_MONITORS = Number(process.env.BENCH_REPLAY_MONITORS ?? 1000);
const REPLAY_MINUTES = Number(process.env.BENCH_REPLAY_MINUTES ?? 60);
const POLLER = path.join(BIN_DIR, 'lillydoo-pulse-poller-linux-x64');
const CLOCK_TICKS = 100; // USER_HZ on Linux
/** BENCH_PARTS=steady,replay (both by default): which of the two to run. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'steady,replay').split(',').map((part) => part.trim()));
/** The link's debug line for each batch ("sent 500 results: 500 new, 0 already there"); not "sent 60,000 queued results in 20 s; caught up". */
const PER_BATCH_LINE = /\[Link\] sent [\d,]+ results?: /;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** RSS (MiB) and CPU seconds so far of a process, from /proc. */
function usage(pid: number): { rssMb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  return { rssMb: rssKb / 1024, cpuS };
}

async function target(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((_request, response) => response.end('ok'));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function createMonitors(server: PulseServer, admin: string, count: number, url: string, pollerId: number): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index++) {
    const created = await server.request('POST', '/api/monitors', {
      token: admin,
      json: {
        name: `bench ${pollerId}-${index}`,
        type: 'http',
        target: `${url}m/${index}`,
        interval: 60,
        timeout: 10,
        retries: 0,
        pollers: [pollerId],
      },
    });
    if (created.status !== 201) throw new Error(`creating a monitor: ${created.status} ${created.text}`);
    ids.push(created.json.id);
  }
  return ids;
}

/** A poller token, registered through the API as the executable would, so monitors can name it. */
async function pollerToken(server: PulseServer, admin: string, name: string): Promise<{ token: string; id: number }> {
  const token = (await server.request('POST', '/api/tokens/', { token: admin, json: { name, type: 'poller' } })).json.token as string;
  const id = (await server.request('POST', '/api/poller/register', { token, json: { name, location: 'bench' } })).json.id as number;
  return { token, id };
}

function startPoller(dir: string, serverUrl: string, token: string, name: string): TestProcess {
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'poller.conf');
  writeFileSync(config, `server = "${serverUrl}/"\ntoken = "${token}"\nname = "${name}"\ndata_dir = "${dir}"\n`, { mode: 0o600 });
  const poller = startProcess(POLLER, ['--config', config, '--debug'], { env: { PATH: process.env.PATH }, cwd: dir, label: name });
  // Only the figures are kept: the per-result debug lines would fill memory.
  const child = poller.child;
  child.stderr!.removeAllListeners('data');
  let tail = '';
  child.stderr!.on('data', (chunk: string) => {
    const lines = (tail + chunk).split('\n');
    tail = lines.pop()!;
    for (const line of lines) if (!line.includes('queued result of monitor') && !PER_BATCH_LINE.test(line)) poller.stderr += `${line}\n`;
  });
  return poller;
}

async function steadyLoad(server: PulseServer, admin: string, root: string, url: string): Promise<void> {
  log(`\n1. one poller, ${MONITORS.toLocaleString('en-US')} HTTP monitors at 60 s`);
  const { token, id } = await pollerToken(server, admin, 'steady');
  const created = Date.now();
  await createMonitors(server, admin, MONITORS, url, id);
  log(`   ${MONITORS} monitors created in ${((Date.now() - created) / 1000).toFixed(0)} s`);
  const poller = startPoller(path.join(root, 'steady'), server.baseUrl, token, 'steady');
  try {
    await poller.waitForOutput(/tasks: [\d,]+ monitor\(s\) to check/, 60_000);
    log('   tasks fetched; warming up for 90 s (the first minute spreads the checks)');
    await sleep(90_000);
    const summaries = poller.stderr.length;
    const before = usage(poller.pid);
    const rss: number[] = [];
    const started = Date.now();
    while (Date.now() - started < MEASURE_S * 1000) {
      await sleep(5000);
      rss.push(usage(poller.pid).rssMb);
    }
    const after = usage(poller.pid);
    const elapsed = (Date.now() - started) / 1000;
    const lines = [
      ...poller.stderr
        .slice(summaries)
        .matchAll(
          /checks in the last minute: ([\d,]+) started, (\d+) ms late at the median, (\d+) ms at p99, (\d+) ms at most; ([\d,]+) waiting/g,
        ),
    ];
    for (const line of lines)
      log(`   minute: ${line[1]} checks started; start delay p50 ${line[2]} ms, p99 ${line[3]} ms, max ${line[4]} ms; ${line[5]} waiting`);
    const p99s = lines.map((line) => Number(line[3]));
    log(`   start delay p99: worst minute ${Math.max(...p99s)} ms, median minute ${p99s.sort((a, b) => a - b)[p99s.length >> 1]} ms`);
    log(`   poller RSS: ${Math.max(...rss).toFixed(0)} MiB at most, ${rss[rss.length - 1]!.toFixed(0)} MiB at the end`);
    log(`   poller CPU: ${(((after.cpuS - before.cpuS) / elapsed) * 100).toFixed(1)} % of one core over ${elapsed.toFixed(0)} s`);
  } finally {
    await poller.stop();
  }
}

async function replay(server: PulseServer, admin: string, root: string, url: string): Promise<void> {
  const total = REPLAY_MONITORS * REPLAY_MINUTES;
  log(
    `\n2. replay of a ${REPLAY_MINUTES}-minute backlog: ${REPLAY_MONITORS.toLocaleString('en-US')} monitors at 60 s = ${total.toLocaleString('en-US')} results`,
  );
  const { token, id } = await pollerToken(server, admin, 'replay');
  const monitors = await createMonitors(server, admin, REPLAY_MONITORS, url, id);
  // The backlog ends two minutes ago, so no result of the poller's own live checks shares a minute bucket with it.
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
  const start = end - REPLAY_MINUTES * 60_000;
  const dir = path.join(root, 'replay');
  const outbox = DiskOutbox.open({
    dir: path.join(dir, 'outbox'),
    maxBytes: 64 * 1024 * 1024,
    maxAgeMs: 24 * 3_600_000,
    syncIntervalMs: 0,
  });
  for (let minute = 0; minute < REPLAY_MINUTES; minute++) {
    for (let index = 0; index < monitors.length; index++) {
      const checkedAt = start + minute * 60_000 + Math.floor((index / monitors.length) * 60_000);
      outbox.append({
        monitor_id: monitors[index],
        status: 'up',
        latency_ms: 1.25,
        message: 'HTTP 200',
        checked_at: new Date(checkedAt).toISOString(),
        details: { status_code: 200, url: `${url}m/${index}`, redirects: 0, body_bytes: 2, body_truncated: false, first_byte_ms: 1.1 },
      });
    }
  }
  log(`   outbox written: ${outbox.queued.toLocaleString('en-US')} results, ${(outbox.bytes / 1024 / 1024).toFixed(1)} MiB`);
  outbox.close();
  const spawned = Date.now();
  const poller = startPoller(dir, server.baseUrl, token, 'replay');
  try {
    const done = await poller.waitForOutput(/sent ([\d,]+) queued results in ([^;]+); caught up/, 900_000);
    const wall = (Date.now() - spawned) / 1000;
    log(`   caught up: the poller says ${done[1]} results in ${done[2]}; ${wall.toFixed(1)} s from starting the executable`);
  } finally {
    await poller.stop();
  }
  await sleep(1000);
  const db = new Database(path.join(server.dataDir, 'pulse.db'), { readonly: true });
  try {
    const list = monitors.join(',');
    const stored = db
      .prepare(
        `SELECT COUNT(*) AS n FROM check_results WHERE source = ? AND checked_at >= ? AND checked_at < ? AND monitor_id IN (${list})`,
      )
      .get(`poller:${id}`, start, end) as { n: number };
    const counted = db
      .prepare(
        `SELECT COALESCE(SUM(checks), 0) AS n FROM monitor_buckets WHERE period = 'minute' AND bucket_start >= ? AND bucket_start < ? AND monitor_id IN (${list})`,
      )
      .get(start, end) as { n: number };
    log(
      `   stored: ${stored.n.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} (lost ${total - stored.n}); counted in the minute buckets: ${counted.n.toLocaleString('en-US')} (doubled ${counted.n - stored.n})`,
    );
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  await buildBinaries({ roles: ['poller'], arches: ['x64'] });
  const root = mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-pollers-'));
  const site = await target();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": where the server spends its time.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean);
  const server = await PulseServer.start({ config: '[monitors]\nmax_concurrent_checks = 1000\n', nodeArgs });
  const admin = server.adminToken!;
  try {
    log(`bench:pollers on ${os.cpus().length} CPU(s), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, load ${os.loadavg()[0]!.toFixed(2)}`);
    if (PARTS.has('steady')) await steadyLoad(server, admin, root, site.url);
    if (PARTS.has('replay')) await replay(server, admin, root, site.url);
  } finally {
    await server.dispose();
    site.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:pollers failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
