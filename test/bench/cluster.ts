/**
 * `npm run bench:cluster`: several servers on one PostgreSQL (SPEC §12), real processes on loopback, a
 * PostgreSQL of its own. Prints figures; asserts nothing. Every load loop is bounded in time and count.
 *
 *   takeover  3 servers, 300 monitors (10 s) and 1,000 statsd services; the busiest killed with SIGKILL
 *             5 times (a fresh server joins after each): time until every shard is held again, and how much
 *             later than a normal interval the killed server's checks came (counted at the target);
 *             then the busiest hung with SIGSTOP 3 times (its connection stays open: the leases must run out).
 *   throughput one server and three on the same machine: HTTP beats through nginx (wrk, 50 connections),
 *             statsd beats spread over the servers (accepted per second), checks per second counted at
 *             the target (1,000 monitors every 5 s).
 */
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PostgresPeer } from '../peers/postgres.js';
import { ClusterLab } from '../support/cluster-lab.js';
import { runCommand } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const KILLS = Number(process.env.BENCH_KILLS ?? 5);
const HANGS = Number(process.env.BENCH_HANGS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
/** `BENCH_ONLY=takeover` (or throughput) runs one part. */
const ONLY = process.env.BENCH_ONLY ?? '';

/** An HTTP target that counts hits per path and remembers when each came. */
class CountingTarget {
  readonly hits = new Map<string, number[]>();
  total = 0;
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<CountingTarget> {
    let target!: CountingTarget;
    const server = http.createServer((request, response) => {
      const at = Date.now();
      target.total++;
      const list = target.hits.get(request.url ?? '') ?? [];
      list.push(at);
      target.hits.set(request.url ?? '', list);
      response.end('ok');
    });
    target = new CountingTarget(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function createMonitors(lab: ClusterLab, target: CountingTarget, count: number, intervalS: number): Promise<void> {
  const server = lab.servers.find((candidate) => candidate !== null)!;
  for (let index = 0; index < count; index += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - index) }, (_, offset) =>
        server.request('POST', '/api/monitors', {
          token: lab.adminToken,
          json: { name: `m${index + offset}`, type: 'http', target: `${target.url}/m${index + offset}`, interval: intervalS, timeout: 4 },
        }),
      ),
    );
  }
}

/** statsd beats for `names` services, spread over the live servers, every second, until stopped. */
function statsdLoop(lab: ClusterLab, names: number) {
  const socket = dgram.createSocket('udp4');
  let running = true;
  const loop = (async () => {
    while (running) {
      const ports = lab.servers.filter((server) => server !== null).map((server) => server!.udpPort);
      for (let index = 0; index < names; index += 20) {
        const lines = Array.from({ length: Math.min(20, names - index) }, (_, offset) => `bench.s${index + offset}.beat:1|c`).join('\n');
        socket.send(lines, ports[(index / 20) % ports.length]!, '127.0.0.1');
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return async () => {
    running = false;
    await loop;
    socket.close();
  };
}

/** Asked of a server other than `except` (a hung one would not answer). */
async function fullyHeld(lab: ClusterLab, count: number, except: number): Promise<boolean> {
  const via = lab.servers.findIndex((server, index) => server !== null && index !== except);
  const { servers } = await lab.overview(via).catch(() => ({ servers: [] as { state: string; shards: number }[] }));
  const active = servers.filter((server) => server.state === 'active');
  return active.length === count && active.reduce((sum, server) => sum + server.shards, 0) === 64;
}

async function takeover(postgres: PostgresPeer): Promise<string[]> {
  const lines: string[] = [];
  const database = `bench_takeover_${process.pid}`;
  await runSql(postgres, `CREATE DATABASE ${database}`);
  const target = await CountingTarget.start();
  const url = postgres.databaseUrl(database);
  // Servers start again while the machine is busy with the others: a start may take minutes under load.
  const lab = await ClusterLab.start({ servers: 3, databaseUrl: url, config: '', startTimeoutMs: 300_000 });
  const stopBeats = statsdLoop(lab, 1000);
  const intervalMs = 10_000;
  try {
    await createMonitors(lab, target, 300, intervalMs / 1000);
    await new Promise((resolve) => setTimeout(resolve, 2 * intervalMs));
    const leases: number[] = [];
    const lateness: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      const victim = await lab.busiest();
      const killedAt = Date.now();
      await lab.kill(victim);
      lab.forget(victim);
      await waitUntil('the shards held by the two others', () => fullyHeld(lab, 2, victim), 120_000);
      leases.push(Date.now() - killedAt);
      await new Promise((resolve) => setTimeout(resolve, 2 * intervalMs));
      lateness.push(checkLateness(target, killedAt, intervalMs));
      console.log(
        `kill ${round + 1}: ${lab.name(victim)} killed; shards held again after ${seconds(leases.at(-1)!)}, checks at most ${seconds(lateness.at(-1)!)} late`,
      );
      await lab.startServer(victim);
      await lab.waitBalanced(3, 120_000);
    }
    lines.push(
      `takeover after SIGKILL (${KILLS}×, 3 servers, lease ${10} s): shards held again p50 ${seconds(percentile(leases, 0.5))}, max ${seconds(Math.max(...leases))}; ` +
        `checks of the killed server later than their interval: p50 ${seconds(percentile(lateness, 0.5))}, max ${seconds(Math.max(...lateness))}`,
    );
    const hangs: number[] = [];
    for (let round = 0; round < HANGS; round++) {
      const victim = await lab.busiest();
      const pid = lab.server(victim).process.pid;
      const hungAt = Date.now();
      process.kill(pid, 'SIGSTOP');
      try {
        await waitUntil('the shards held by the two others', () => fullyHeld(lab, 2, victim), 120_000);
        hangs.push(Date.now() - hungAt);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      console.log(`hang ${round + 1}: ${lab.name(victim)} stopped; shards held again after ${seconds(hangs.at(-1)!)}`);
      await lab.waitBalanced(3, 120_000);
    }
    if (hangs.length > 0)
      lines.push(
        `takeover of a hung server (SIGSTOP, ${HANGS}×; its connection stays open, so its leases must run out): p50 ${seconds(percentile(hangs, 0.5))}, max ${seconds(Math.max(...hangs))}`,
      );
  } finally {
    await stopBeats();
    await lab.dispose();
    await target.stop();
  }
  return lines;
}

/** How much later than one interval the first check after the kill came, at worst, over every monitor. */
function checkLateness(target: CountingTarget, killedAt: number, intervalMs: number): number {
  let worst = 0;
  for (const hits of target.hits.values()) {
    const before = hits.filter((at) => at <= killedAt).at(-1);
    const after = hits.find((at) => at > killedAt);
    if (before === undefined || after === undefined) continue;
    worst = Math.max(worst, after - before - intervalMs);
  }
  return worst;
}

async function throughput(postgres: PostgresPeer, count: number): Promise<string[]> {
  const database = `bench_throughput_${count}_${process.pid}`;
  await runSql(postgres, `CREATE DATABASE ${database}`);
  const port = await ClusterLab.freePort();
  const lab = await ClusterLab.start({
    servers: count,
    databaseUrl: postgres.databaseUrl(database),
    config: `public_url = "http://127.0.0.1:${port}/pulse/"\n[http]\ntrusted_proxies = ["127.0.0.1"]\n`,
  });
  const target = await CountingTarget.start();
  const lines: string[] = [];
  try {
    await lab.startNginx(port, '/pulse/');
    lines.push(`${count} server(s): ${await httpBeats(`http://127.0.0.1:${port}/pulse/`)}`);
    lines.push(`${count} server(s): ${await statsdBeats(lab)}`);
    await createMonitors(lab, target, 1000, 5);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const before = target.total;
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const checks = ((target.total - before) * 1000) / (Date.now() - started);
    lines.push(`${count} server(s): checks ${checks.toFixed(0)}/s counted at the target (1,000 monitors every 5 s: 200/s due)`);
  } finally {
    await lab.dispose();
    await target.stop();
  }
  for (const line of lines) console.log(line);
  return lines;
}

async function httpBeats(url: string): Promise<string> {
  const script = path.join(os.tmpdir(), `pulse-bench-cluster-${process.pid}.lua`);
  writeFileSync(
    script,
    [
      'local counter = 0',
      'request = function()',
      '  counter = counter + 1',
      '  return wrk.format("POST", "/pulse/api/services/bench.http" .. (counter % 1000))',
      'end',
    ].join('\n'),
  );
  const { stdout } = await runCommand('wrk', ['-t2', '-c50', `-d${SECONDS}s`, '--timeout', '10s', '--latency', '-s', script, url]).catch(
    (error: Error & { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const figure = (pattern: RegExp) => pattern.exec(stdout)?.[1] ?? '?';
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  return `HTTP beats through nginx, 50 connections, ${SECONDS} s: ${figure(/Requests\/sec:\s+([\d.]+)/)} beats/s answered, p50 ${figure(/\n\s+50%\s+(\S+)/)}, p99 ${figure(/\n\s+99%\s+(\S+)/)}, non-2xx ${non2xx}`;
}

async function udpAccepted(lab: ClusterLab): Promise<number> {
  let total = 0;
  for (const server of lab.servers) {
    if (!server) continue;
    const text = (await server.request('GET', '/metrics', { token: lab.adminToken })).text;
    total += Number(/^pulse_heartbeat_beats_total\{transport="udp"\} (\d+)/m.exec(text)?.[1] ?? 0);
  }
  return total;
}

/** statsd at 50,000 lines/s (20 per datagram, 1,000 names) spread over the servers for SECONDS. */
async function statsdBeats(lab: ClusterLab): Promise<string> {
  const socket = dgram.createSocket('udp4');
  const ports = lab.servers.filter((server) => server !== null).map((server) => server!.udpPort);
  const before = await udpAccepted(lab);
  const rate = 50_000;
  const started = performance.now();
  let sent = 0;
  let cursor = 0;
  while (sent < rate * SECONDS && performance.now() - started < SECONDS * 1000 + 5000) {
    const due = Math.min(rate * SECONDS, Math.floor((rate * (performance.now() - started)) / 1000));
    while (sent < due) {
      const lines = Array.from({ length: 20 }, () => `bench.udp${cursor++ % 1000}.beat:1|c`).join('\n');
      socket.send(lines, ports[(sent / 20) % ports.length]!, '127.0.0.1');
      sent += 20;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const accepted = (await udpAccepted(lab)) - before;
  socket.close();
  return `statsd beats at ${rate} lines/s spread over the servers: ${Math.round(accepted / elapsed)}/s accepted (${sent} sent, ${sent - accepted} lost)`;
}

async function runSql(postgres: PostgresPeer, sql: string): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const postgres = await PostgresPeer.start();
  const results: string[] = [];
  try {
    console.log(
      `Pulse cluster benchmark: ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    if (ONLY === '' || ONLY === 'takeover') results.push(...(await takeover(postgres)));
    if (ONLY === '' || ONLY === 'throughput') for (const count of [1, 3]) results.push(...(await throughput(postgres, count)));
    console.log('\n' + results.join('\n'));
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await postgres.stop();
  }
}

await main();
