/**
 * `npm run bench:startup`: how fast the server starts and how big and hungry it is.
 *
 *   - cold start to the first HTTP 200 on /healthz, from source (`node dist/app/entry/server.js`) and from
 *     the single executable: a new process each run, first with an empty data directory (migrations and
 *     the first-run token included), then restarting on an existing one; median of 10 runs, polling every 5 ms;
 *   - executable size: raw (unstripped Node), stripped (what ships), and xz -6 (the download);
 *   - idle RSS: after one authenticated API call and 10 s of idling.
 *
 * Targets (issue 2): executable start < 0.5 s, idle RSS < 130 MB, xz download < 35 MB. Prints figures;
 * asserts nothing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN_DIR, buildBinaries } from '../../scripts/build-binaries.js';
import { SERVER_ENTRY } from '../peers/pulse-server.js';
import { freePort } from '../support/ports.js';

const RUNS = 10;
const MB = 1024 * 1024;

interface Launch {
  label: string;
  command: string;
  args: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function startServer(
  launch: Launch,
  dataDir: string,
): Promise<{ child: ChildProcess; port: number; startMs: number; stdout: () => string }> {
  const port = await freePort();
  let stdout = '';
  const started = process.hrtime.bigint();
  const child = spawn(launch.command, launch.args, {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: {
      PATH: process.env.PATH,
      PULSE_DATA_DIR: dataDir,
      PULSE_HTTP_LISTEN: `127.0.0.1:${port}`,
      PULSE_UDP_LISTEN: '127.0.0.1:0',
      PULSE_TCP_LISTEN: '127.0.0.1:0',
    },
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${launch.label} did not answer /healthz`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { child, port, startMs, stdout: () => stdout };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function coldStarts(launch: Launch): Promise<{ first: number[]; restart: number[] }> {
  const first: number[] = [];
  const restart: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-'));
    try {
      const fresh = await startServer(launch, dataDir);
      first.push(fresh.startMs);
      await stop(fresh.child);
      const again = await startServer(launch, dataDir);
      restart.push(again.startMs);
      await stop(again.child);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { first, restart };
}

async function idleRssMb(launch: Launch): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-'));
  try {
    const server = await startServer(launch, dataDir);
    const token = /sw_admin_[0-9a-f]{64}/.exec(server.stdout())?.[0];
    await fetch(`http://127.0.0.1:${server.port}/api/tokens/`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
    await stop(server.child);
    return kb / 1024;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function xzSize(file: string): number {
  const size = execFileSync('sh', ['-c', `xz -6 -T2 -c "${file}" | wc -c`], { encoding: 'utf8' });
  return Number(size.trim());
}

async function main(): Promise<void> {
  process.stderr.write('building executables (stripped, and a raw copy for comparison)...\n');
  await buildBinaries({ arches: ['x64'] });
  const rawDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-raw-'));
  const [raw] = await buildBinaries({ arches: ['x64'], roles: ['server'], strip: false, outDir: rawDir });
  const executable = path.join(BIN_DIR, 'lillydoo-pulse-linux-x64');
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-exe-'));
  const installed = path.join(runDir, 'lillydoo-pulse');
  copyFileSync(executable, installed);

  const fromSource: Launch = { label: 'from source', command: process.execPath, args: [SERVER_ENTRY] };
  const fromExecutable: Launch = { label: 'executable', command: installed, args: [] };

  const sourceStarts = await coldStarts(fromSource);
  const executableStarts = await coldStarts(fromExecutable);
  const sourceRss = await idleRssMb(fromSource);
  const executableRss = await idleRssMb(fromExecutable);
  const sizes = {
    raw: statSync(raw!).size / MB,
    stripped: statSync(executable).size / MB,
    xz: xzSize(executable) / MB,
    agent: statSync(path.join(BIN_DIR, 'lillydoo-pulse-agent-linux-x64')).size / MB,
    poller: statSync(path.join(BIN_DIR, 'lillydoo-pulse-poller-linux-x64')).size / MB,
  };
  rmSync(rawDir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });

  const ms = (values: number[]) =>
    `median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
  const lines = [
    `LILLYDOO Pulse startup benchmark — ${new Date().toISOString()}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
    `node ${process.version} (source), embedded node in the executable: see scripts/build-binaries.ts`,
    '',
    `cold start → first HTTP 200, ${RUNS} runs each:`,
    `  from source, empty data dir : ${ms(sourceStarts.first)}`,
    `  from source, restart        : ${ms(sourceStarts.restart)}`,
    `  executable, empty data dir  : ${ms(executableStarts.first)}`,
    `  executable, restart         : ${ms(executableStarts.restart)}`,
    '',
    `server executable size: raw ${sizes.raw.toFixed(1)} MB, stripped ${sizes.stripped.toFixed(1)} MB, xz -6 ${sizes.xz.toFixed(1)} MB`,
    `agent ${sizes.agent.toFixed(1)} MB, poller ${sizes.poller.toFixed(1)} MB (stripped)`,
    '',
    `idle RSS after one API call and 10 s: from source ${sourceRss.toFixed(1)} MB, executable ${executableRss.toFixed(1)} MB`,
    '',
    'targets:',
    `  executable start < 500 ms : ${median(executableStarts.first).toFixed(0)} ms ${median(executableStarts.first) < 500 ? 'met' : 'MISSED'}`,
    `  idle RSS < 130 MB         : ${executableRss.toFixed(1)} MB ${executableRss < 130 ? 'met' : 'MISSED'}`,
    `  xz download < 35 MB       : ${sizes.xz.toFixed(1)} MB ${sizes.xz < 35 ? 'met' : 'MISSED'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
