/**
 * `npm run bench:agents`: 500 simulated agents reporting every 30 s to a real Pulse server on loopback,
 * as the agent's link sends them (`{"samples":[report],"outbox":{…}}`, one agent token each), spread over
 * the interval. Prints the ingest latency (p50/p99/max, measured by the senders: request to answer, which
 * the server gives once the report is in the database), what was stored, and the server's CPU and RSS
 * (/proc). Asserts nothing. Bounded: BENCH_AGENTS agents (500) for BENCH_SECONDS (180); 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PulseServer } from '../peers/pulse-server.js';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
const INTERVAL_MS = 30_000;
/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on Linux, whatever the kernel's HZ). */
const TICKS_PER_SECOND = 100;

/** A report like a real host's: 3 disks, 2 network cards. */
function report(host: number, collectedAt: number) {
  const wobble = (base: number, spread: number) => Math.round((base + Math.random() * spread) * 100) / 100;
  return {
    hostname: `bench-host-${host}`,
    os: 'Debian GNU/Linux 12 (bookworm), kernel 6.1.0-18-amd64 x64',
    uptime_s: 86_400 + (Math.floor(collectedAt / 1000) % 86_400),
    cpu: { percent: wobble(5, 40), load1: wobble(0.2, 2), load5: wobble(0.2, 1), load15: wobble(0.2, 0.5), cores: 8 },
    memory: { total: 16e9, used: wobble(4e9, 2e9), percent: wobble(25, 15) },
    swap: { total: 2e9, used: 0, percent: 0 },
    disks: [
      { mount: '/', fs: 'ext4', size: 1e11, used: 4e10, percent: 40 },
      { mount: '/var', fs: 'xfs', size: 2e11, used: wobble(1e11, 1e9), percent: wobble(50, 1) },
      { mount: '/srv/data', fs: 'ext4', size: 1e12, used: 7e11, percent: 70 },
    ],
    net: [
      { iface: 'eth0', rx_bps: wobble(1e6, 1e6), tx_bps: wobble(5e5, 5e5) },
      { iface: 'eth1', rx_bps: wobble(1e4, 1e4), tx_bps: wobble(1e4, 1e4) },
    ],
    collected_at: new Date(collectedAt).toISOString(),
    interval: 30,
  };
}

/** utime + stime (seconds) and RSS (MiB) of a process. */
function processFigures(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds, rssMb: rssKb / 1024 };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const server = await PulseServer.start();
  try {
    const admin = server.adminToken!;
    const tokens: string[] = [];
    for (let index = 0; index < AGENTS; index++) {
      const created = await server.request('POST', '/api/tokens/', { token: admin, json: { name: `bench ${index}`, type: 'agent' } });
      tokens.push(created.json.token);
    }
    process.stderr.write(`[bench:agents] ${AGENTS} agent tokens; ${AGENTS} agents every ${INTERVAL_MS / 1000} s for ${SECONDS} s\n`);

    const latencies: number[] = [];
    /** The first report of each agent creates it: those are counted apart from the steady state. */
    const firstLatencies: number[] = [];
    let errors = 0;
    let sent = 0;
    let stored = 0;
    let duplicates = 0;
    const firstErrors: string[] = [];
    const started = Date.now();
    const stopAt = started + SECONDS * 1000;
    const cpuBefore = processFigures(server.process.pid);
    let maxRss = cpuBefore.rssMb;
    const rssTimer = setInterval(() => (maxRss = Math.max(maxRss, processFigures(server.process.pid).rssMb)), 1000);

    const send = async (host: number, first: boolean) => {
      const body = JSON.stringify({ samples: [report(host, Date.now())], outbox: { queued: 0, dropped: 0 } });
      const begin = performance.now();
      try {
        const response = await fetch(`${server.baseUrl}/api/agent/metrics`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[host]}`, 'content-type': 'application/json' },
          body,
        });
        const answer = (await response.json()) as { accepted?: number; duplicates?: number; message?: string };
        (first ? firstLatencies : latencies).push(performance.now() - begin);
        sent++;
        if (response.status !== 200) {
          errors++;
          if (firstErrors.length < 3) firstErrors.push(`HTTP ${response.status}: ${answer.message}`);
        } else {
          stored += answer.accepted ?? 0;
          duplicates += answer.duplicates ?? 0;
        }
      } catch (error) {
        errors++;
        if (firstErrors.length < 3) firstErrors.push((error as Error).message);
      }
    };

    // Each agent has its own phase in the interval, as real agents started at different times do.
    const loops = tokens.map(async (_token, host) => {
      let next = started + Math.floor((host * INTERVAL_MS) / AGENTS);
      while (next < stopAt) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
        await send(host, next < started + INTERVAL_MS);
        next += INTERVAL_MS;
      }
    });
    await Promise.all(loops);
    clearInterval(rssTimer);
    const cpuAfter = processFigures(server.process.pid);
    const elapsed = (Date.now() - started) / 1000;

    const agentsShown = (await server.request('GET', '/api/agents?per_page=1', { token: admin })).json.total;
    latencies.sort((a, b) => a - b);
    firstLatencies.sort((a, b) => a - b);
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const lines = [
      `agents            ${AGENTS} (${agentsShown} known to the server), every ${INTERVAL_MS / 1000} s for ${elapsed.toFixed(0)} s`,
      `reports           ${sent} sent, ${stored} stored, ${duplicates} duplicates, ${errors} errors${firstErrors.length ? ` (${firstErrors.join('; ')})` : ''}`,
      `rate              ${(sent / elapsed).toFixed(1)} reports/s`,
      `ingest latency    p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? NaN)} (after each agent's first report)`,
      `first reports     p50 ${ms(percentile(firstLatencies, 50))}, p99 ${ms(percentile(firstLatencies, 99))}, max ${ms(firstLatencies.at(-1) ?? NaN)} (each creates its agent)`,
      `server CPU        ${(((cpuAfter.cpuSeconds - cpuBefore.cpuSeconds) / elapsed) * 100).toFixed(1)} % of one core (${(cpuAfter.cpuSeconds - cpuBefore.cpuSeconds).toFixed(1)} s in ${elapsed.toFixed(0)} s)`,
      `server RSS        ${cpuBefore.rssMb.toFixed(0)} MiB before, ${maxRss.toFixed(0)} MiB at most, ${cpuAfter.rssMb.toFixed(0)} MiB at the end`,
      `machine           ${os.cpus().length} cores, load ${os
        .loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')} (shared: other work runs here)`,
    ];
    const problems = server.process.stderr.split('\n').filter((line) => / (WARN|ERROR) /.test(line));
    lines.push(
      `server log        ${problems.length} warning(s)/error(s)${problems.length ? `, first: ${problems.slice(0, 3).join(' | ')}` : ''}`,
    );
    process.stdout.write(
      `\nbench:agents (SQLite, server from source on Node ${process.version})\n${lines.map((line) => `  ${line}`).join('\n')}\n`,
    );
  } finally {
    await server.dispose();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`[bench:agents] failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
