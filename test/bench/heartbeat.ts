/**
 * `npm run bench:heartbeat`: heartbeat ingest figures against real receivers on loopback. Prints figures;
 * asserts nothing. Every load loop is bounded in time and count; traffic goes to 127.0.0.1 only.
 *
 *   UDP   Pulse beside the reference statsd daemon (statsd@0.9.0 from npm, installed by this script into the
 *         temp dir, no backends, given the same receive buffer through a one-file server module), one
 *         receiver receiving at a time (kernel drops, /proc/net/snmp Udp RcvbufErrors, are machine-wide),
 *         alternating, at 25k–200k lines/s with 1 and 20 lines per datagram over 1,000 names from 16 sender
 *         sockets: lines sent (SHORT when the sender could not keep up), accepted (Pulse's beat counter,
 *         statsd's metrics_received), kernel drops and the receiver's CPU time (all its threads), and for
 *         Pulse the longest stall of the receive path and of the main event loop. Then the rate each is
 *         loss-free up to.
 *   TCP   Pulse, 50 persistent connections, 50,000 lines/s one per write and 200,000 in writes of 20.
 *   HTTP  wrk, 50 connections, POST /api/services/<one of 1,000 names>: beats/s, p50/p99/max, errors.
 *
 * Environment:
 *   BENCH_SECONDS=5          seconds per UDP/TCP run
 *   BENCH_ROUNDS=1           rounds of the UDP comparison (medians are printed when more than one)
 *   BENCH_RATES=25000,...    lines/s to try;  BENCH_LINES=1,20  lines per datagram
 *   BENCH_ONLY=udp|tcp|http  one part
 *   BENCH_BASELINE=<dir>     also run the Pulse built in <dir> (dist/app/entry/server.js), e.g. main's code
 *   BENCH_EXECUTABLE=<file>  also run Pulse from a single executable (its Node 22 lets two UDP workers share
 *                            the port; from source on Node < 22.12 there is one), e.g. dist/bin/lillydoo-pulse-linux-x64
 *   BENCH_PULSE_VARIANTS="w0:[udp]\nworkers = 0;w2:[udp]\nworkers = 2"  more Pulse receivers, label:config,
 *                            ";" between them ("\n" for newlines; NAME=value in the label sets an environment variable)
 *                            and a label starting with "exe" runs BENCH_EXECUTABLE
 *   BENCH_HTTP_SECONDS=10
 *   BENCH_SENDER=c|node      the UDP sender: test/bench/udp-sender.c (compiled here with cc; sendmmsg, little CPU of
 *                            its own, the default when cc exists) or Node sockets (several µs per datagram, most of
 *                            a core at 150k datagrams/s, which the receiver then lacks on a 2-core machine)
 */
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PulseServer } from '../peers/pulse-server.js';
import { freePort } from '../support/ports.js';
import { runCommand, startProcess, type TestProcess } from '../support/processes.js';

const NAMES = 1000;
/** Sender sockets: the kernel spreads senders over `[udp] workers` sockets by address and port. */
const SENDERS = 16;
const STREAM_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const RATES = (process.env.BENCH_RATES ?? '25000,50000,75000,100000,150000,200000').split(',').map(Number);
const LINES_PER_DATAGRAM = (process.env.BENCH_LINES ?? '1,20').split(',').map(Number);
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024; // Pulse's [udp] receive_buffer_bytes default
const TICK_MS = 5;
/** Also Pulse from a single executable (its Node 22 lets `[udp] workers` > 1 share the port). */
const EXECUTABLE = process.env.BENCH_EXECUTABLE ? path.resolve(process.env.BENCH_EXECUTABLE) : undefined;
/** `BENCH_ONLY=udp` (or tcp, http) runs one part. */
const ONLY = process.env.BENCH_ONLY ?? '';
const CLOCK_TICKS_PER_SECOND = 100;
/** prom-client's event-loop lag sampling period (its default). */
const MAIN_LAG_RESOLUTION_MS = 10;
/** The C sender's source, in the repository (tsc does not copy it to dist). */
const SENDER_SOURCE = fileURLToPath(new URL('../../../test/bench/udp-sender.c', import.meta.url));
const lines = Array.from({ length: NAMES }, (_, index) => `bench.svc${index}.beat:1|c`);

const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

function rcvbufErrors(): number {
  const rows = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('Udp:'));
  const [header, values] = rows.map((line) => line.split(/\s+/));
  return Number(values![header!.indexOf('RcvbufErrors')]);
}

/** CPU seconds a process has used, all its threads (utime + stime). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Something that receives statsd over UDP and can say how many lines it took. */
interface Receiver {
  label: string;
  pid: number;
  udpPort: number;
  accepted(): Promise<number>;
  /** Longest stalls since the previous call, in ms (Pulse only). */
  stalls?(): Promise<{ receive: number; main: number }>;
  stop(): Promise<void>;
}

async function metricsText(server: PulseServer): Promise<string> {
  return (await server.request('GET', '/metrics', { token: server.adminToken })).text;
}

function metric(text: string, pattern: RegExp): number {
  return Number(pattern.exec(text)?.[1] ?? NaN);
}

async function pulseReceiver(
  label: string,
  options: { config?: string; entry?: string; executable?: string; env?: Record<string, string> },
): Promise<Receiver> {
  const server = await PulseServer.start({
    config: options.config,
    env: options.env,
    ...(options.entry
      ? { executable: process.execPath, args: [options.entry] }
      : options.executable
        ? { executable: options.executable }
        : {}),
  });
  const workers = /statsd UDP listening on \S+ \(([^)]+)\)/.exec(server.process.stderr)?.[1] ?? 'on the main thread';
  return {
    label: `${label} (${workers})`,
    pid: server.process.pid,
    udpPort: server.udpPort,
    accepted: async () => metric(await metricsText(server), /^pulse_heartbeat_beats_total\{transport="udp"\} (\d+)/m),
    stalls: async () => {
      const text = await metricsText(server);
      // prom-client samples the main loop every 10 ms and reports the longest time between samples: the stall is what lies beyond.
      const main = Math.max(0, metric(text, /^pulse_nodejs_eventloop_lag_max_seconds (\S+)/m) * 1000 - MAIN_LAG_RESOLUTION_MS);
      const receive = metric(text, /^pulse_statsd_receive_lag_max_seconds\{transport="udp"\} (\S+)/m) * 1000;
      // A build without receive workers receives on its main event loop.
      return { main, receive: Number.isNaN(receive) ? main : receive };
    },
    stop: () => server.dispose(),
  };
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

const STATSD_VERSION = '0.9.0';

/**
 * The reference daemon's stats.js: statsd@0.9.0 installed by npm into a directory of the machine's temp
 * dir (kept for the next run), not a dependency of Pulse. Its optional native modules are left out.
 */
async function installedStatsd(): Promise<string> {
  const prefix = path.join(os.tmpdir(), `pulse-bench-statsd-${STATSD_VERSION}`);
  const statsJs = path.join(prefix, 'node_modules', 'statsd', 'stats.js');
  if (existsSync(statsJs)) return statsJs;
  console.log(`installing statsd@${STATSD_VERSION} into ${prefix}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(path.join(prefix, 'package.json'), '{"private": true}\n');
  await runCommand('npm', [
    'install',
    '--prefix',
    prefix,
    `statsd@${STATSD_VERSION}`,
    '--save-exact',
    '--omit=optional',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
  ]);
  return statsJs;
}

/** The reference daemon: statsd@0.9.0, no backends, its UDP server given Pulse's receive buffer. */
async function statsdReceiver(): Promise<Receiver> {
  const statsJs = await installedStatsd();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-statsd-'));
  const serverModule = path.join(dir, 'udp-with-buffer.cjs');
  // statsd's own servers/udp.js, plus the receive buffer (statsd has no setting for it).
  writeFileSync(
    serverModule,
    `const dgram = require('dgram');
exports.start = function (config, callback) {
  this.server = dgram.createSocket({ type: 'udp4', recvBufferSize: ${RECEIVE_BUFFER_BYTES} }, callback);
  this.server.bind(config.port, config.address);
  return true;
};
`,
  );
  const [udpPort, mgmtPort] = [await freeUdpPort(), await freePort()];
  const configFile = path.join(dir, 'config.js');
  writeFileSync(
    configFile,
    JSON.stringify({
      port: udpPort,
      address: '127.0.0.1',
      mgmt_address: '127.0.0.1',
      mgmt_port: mgmtPort,
      backends: [],
      flushInterval: 3_600_000, // counters are reset at a flush: none during the bench
      automaticConfigReload: false,
      servers: [{ server: serverModule, port: udpPort, address: '127.0.0.1' }],
    }),
  );
  const child: TestProcess = startProcess(process.execPath, [statsJs, configFile], {
    label: 'statsd',
  });
  await child.waitForOutput(/server is up/);
  const management = (command: string) =>
    new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(mgmtPort, '127.0.0.1', () => socket.write(`${command}\n`));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('END')) socket.end();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
  return {
    label: 'statsd 0.9.0',
    pid: child.pid,
    udpPort,
    accepted: async () => Number(/'statsd\.metrics_received': (\d+)/.exec(await management('counters'))?.[1] ?? NaN),
    stop: async () => {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Calls `sendBatch(lines)` every few ms so that `rate` lines/s go out for `seconds`; returns lines sent. */
async function paced(rate: number, seconds: number, sendBatch: (count: number) => number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  const total = rate * seconds;
  while (sent < total) {
    const elapsed = performance.now() - started;
    if (elapsed > seconds * 1000 + 5000) break; // the sender fell behind; stop anyway
    const due = Math.min(total, Math.floor((rate * elapsed) / 1000));
    if (due > sent) sent += sendBatch(Math.min(due - sent, rate / 10));
    await sleep(TICK_MS);
  }
  return sent;
}

/** Waits until `expected` lines are counted, or the count stops moving for a second. */
async function settle(receiver: Receiver, expected: number): Promise<number> {
  let accepted = await receiver.accepted();
  let still = 0;
  for (let attempt = 0; attempt < 60 && accepted < expected && still < 4; attempt++) {
    await sleep(250);
    const now = await receiver.accepted();
    still = now === accepted ? still + 1 : 0;
    accepted = now;
  }
  return accepted;
}

/**
 * Sends `rate` lines/s for `seconds` to the receiver's UDP port from SENDERS sockets; returns lines sent
 * (fewer than asked when the sender fell behind).
 */
type UdpSender = (port: number, rate: number, seconds: number, linesPerDatagram: number) => Promise<number>;

/** test/bench/udp-sender.c, compiled into the temp dir: batches of datagrams per sendmmsg call. */
async function cSender(): Promise<UdpSender | null> {
  const binary = path.join(os.tmpdir(), `pulse-bench-udp-sender-${process.pid}`);
  try {
    await runCommand('cc', ['-O2', '-Wall', '-o', binary, SENDER_SOURCE]);
  } catch (error) {
    console.log(`no C sender (${(error as Error).message.split('\n')[0]}): sending from Node sockets`);
    return null;
  }
  process.once('exit', () => rmSync(binary, { force: true }));
  return async (port, rate, seconds, linesPerDatagram) => {
    const { stdout } = await runCommand(binary, [port, rate, seconds, linesPerDatagram, NAMES, SENDERS].map(String));
    return Number(stdout.trim());
  };
}

/** Node sockets, paced every few ms. */
const nodeSender: UdpSender = async (port, rate, seconds, linesPerDatagram) => {
  const sockets = await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      const socket = dgram.createSocket('udp4');
      socket.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    }),
  );
  const datagrams = Array.from({ length: NAMES }, (_, index) => {
    const chunk: string[] = [];
    for (let line = 0; line < linesPerDatagram; line++) chunk.push(lines[(index * linesPerDatagram + line) % NAMES]!);
    return Buffer.from(chunk.join('\n'));
  });
  let cursor = 0;
  try {
    return await paced(rate, seconds, (count) => {
      const toSend = Math.ceil(count / linesPerDatagram);
      for (let index = 0; index < toSend; index++, cursor++) sockets[cursor % SENDERS]!.send(datagrams[cursor % NAMES]!);
      return toSend * linesPerDatagram;
    });
  } finally {
    for (const socket of sockets) socket.close();
  }
};

let sendUdp: UdpSender = nodeSender;

interface UdpResult {
  receiver: string;
  linesPerDatagram: number;
  rate: number;
  sent: number;
  accepted: number;
  drops: number;
  cpu: number;
  stalls?: { receive: number; main: number };
}

async function udpRun(receiver: Receiver, rate: number, linesPerDatagram: number, seconds = STREAM_SECONDS): Promise<UdpResult> {
  const before = await receiver.accepted();
  await receiver.stalls?.(); // starts a fresh stall window
  const dropsBefore = rcvbufErrors();
  const cpuBefore = cpuSeconds(receiver.pid);
  const sent = await sendUdp(receiver.udpPort, rate, seconds, linesPerDatagram);
  const stalls = await receiver.stalls?.();
  const accepted = (await settle(receiver, before + sent)) - before;
  return {
    receiver: receiver.label,
    linesPerDatagram,
    rate,
    sent,
    accepted,
    drops: rcvbufErrors() - dropsBefore,
    cpu: cpuSeconds(receiver.pid) - cpuBefore,
    stalls,
  };
}

/** The sender kept up with the rate (on a loaded machine it may not): only then does the run say anything about it. */
const reached = (result: UdpResult) => result.sent >= 0.98 * result.rate * STREAM_SECONDS;
/** Nothing lost at a rate the sender reached. */
const lossFree = (result: UdpResult) => reached(result) && result.accepted >= result.sent;

function describeUdp(result: UdpResult): string {
  const perLine = result.accepted > 0 ? ((result.cpu * 1e6) / result.accepted).toFixed(2) : '-';
  const stalls = result.stalls
    ? `, longest stall receive ${result.stalls.receive.toFixed(0)} ms / main ${result.stalls.main.toFixed(0)} ms`
    : '';
  return (
    `UDP ${String(result.linesPerDatagram).padStart(2)}/dgram ${String(result.rate).padStart(6)}/s  ${result.receiver.padEnd(40)} ` +
    `sent ${String(result.sent).padStart(8)} (${String(Math.round(result.sent / STREAM_SECONDS)).padStart(6)}/s${reached(result) ? '' : ' SHORT'})  ` +
    `accepted ${String(result.accepted).padStart(8)}  lost ${String(result.sent - result.accepted).padStart(7)}  ` +
    `kernel drops ${String(result.drops).padStart(7)} datagrams  CPU ${result.cpu.toFixed(2)} s (${perLine} µs/line)${stalls}`
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summarize(results: UdpResult[], receivers: string[]): void {
  console.log(
    `\nSummary over ${ROUNDS} round(s), ${STREAM_SECONDS} s per run (medians). "Loss-free up to R": every rate up to R lost ` +
      'nothing in every round, with the sender reaching the rate (a run where it fell 2 % short proves nothing and counts as not loss-free):',
  );
  for (const linesPerDatagram of LINES_PER_DATAGRAM) {
    for (const label of receivers) {
      const mine = results.filter((result) => result.receiver === label && result.linesPerDatagram === linesPerDatagram);
      const runsAt = (rate: number) => mine.filter((result) => result.rate === rate);
      const cells = RATES.map((rate) => {
        const runs = runsAt(rate);
        const clean = runs.filter(lossFree).length;
        const short = runs.filter((result) => !reached(result)).length;
        const perLine = median(runs.map((result) => (result.accepted > 0 ? (result.cpu * 1e6) / result.accepted : NaN)));
        const lost = median(runs.map((result) => result.sent - result.accepted));
        const drops = median(runs.map((result) => result.drops));
        const stall = runs[0]?.stalls
          ? `, stall receive/main ${median(runs.map((result) => result.stalls!.receive)).toFixed(0)}/${median(runs.map((result) => result.stalls!.main)).toFixed(0)} ms`
          : '';
        return (
          `${rate / 1000}k: ${clean}/${runs.length} loss-free${short ? ` (sender short in ${short})` : ''}, lost ${lost} lines, ` +
          `kernel drops ${drops} datagrams, ${perLine.toFixed(2)} µs CPU/line${stall}`
        );
      });
      let upTo = 0;
      for (const rate of RATES) {
        const runs = runsAt(rate);
        if (runs.length === 0 || !runs.every(lossFree)) break;
        upTo = rate;
      }
      const alsoAt = RATES.filter((rate) => rate > upTo && runsAt(rate).some(lossFree));
      console.log(
        `  ${String(linesPerDatagram).padStart(2)} line(s)/datagram  ${label.padEnd(40)} loss-free up to ${upTo} lines/s` +
          (alsoAt.length > 0 ? ` (also at ${alsoAt.join(', ')} in some round)` : ''),
      );
      for (const cell of cells) console.log(`      ${cell}`);
    }
  }
}

async function udpComparison(): Promise<void> {
  const starters: (() => Promise<Receiver>)[] = [() => pulseReceiver('Pulse', {}), () => statsdReceiver()];
  if (EXECUTABLE) starters.push(() => pulseReceiver('Pulse executable', { executable: EXECUTABLE }));
  if (process.env.BENCH_BASELINE) {
    const entry = path.resolve(process.env.BENCH_BASELINE, 'dist', 'app', 'entry', 'server.js');
    starters.push(() => pulseReceiver('Pulse baseline', { entry }));
  }
  for (const variant of (process.env.BENCH_PULSE_VARIANTS ?? '').split(';').filter(Boolean)) {
    const [label, config] = variant.split(/:(.*)/s) as [string, string];
    const env = Object.fromEntries([...label.matchAll(/(\w+)=(\w+)/g)].map((m) => [m[1]!, m[2]!]));
    const executable = label.startsWith('exe') ? EXECUTABLE : undefined;
    starters.push(() => pulseReceiver(`Pulse ${label}`, { config: config.replace(/\\n/g, '\n'), env, executable }));
  }
  const receivers: Receiver[] = [];
  if (process.env.BENCH_SENDER !== 'node') sendUdp = (await cSender()) ?? nodeSender;
  console.log(`UDP sender: ${sendUdp === nodeSender ? 'Node sockets' : 'test/bench/udp-sender.c (sendmmsg)'}, ${SENDERS} sockets`);
  try {
    for (const start of starters) receivers.push(await start());
    console.log(`UDP receivers: ${receivers.map((receiver) => `${receiver.label} pid ${receiver.pid}`).join(', ')}`);
    // Every name once or twice and the code warm before anything is measured (the first run would pay for both).
    for (const receiver of receivers) await udpRun(receiver, 10_000, 1, 2);
    const results: UdpResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      console.log(`round ${round + 1}/${ROUNDS}, load average ${load()}`);
      const order = round % 2 === 0 ? receivers : [...receivers].reverse();
      for (const linesPerDatagram of LINES_PER_DATAGRAM) {
        for (const rate of RATES) {
          for (const receiver of order) {
            results.push(await udpRun(receiver, rate, linesPerDatagram));
            console.log(describeUdp(results.at(-1)!));
            await sleep(300);
          }
        }
      }
    }
    summarize(
      results,
      receivers.map((receiver) => receiver.label),
    );
  } finally {
    for (const receiver of receivers) await receiver.stop();
  }
}

async function beatsAccepted(server: PulseServer, transport: string): Promise<number> {
  return metric(await metricsText(server), new RegExp(`^pulse_heartbeat_beats_total\\{transport="${transport}"\\} (\\d+)`, 'm'));
}

async function tcpRun(server: PulseServer, rate: number, linesPerWrite: number): Promise<string> {
  const sockets = await Promise.all(
    Array.from(
      { length: 50 },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(server.tcpPort, '127.0.0.1', () => resolve(socket));
          socket.on('error', reject);
        }),
    ),
  );
  const before = await beatsAccepted(server, 'tcp');
  await metricsText(server);
  let cursor = 0;
  let blocked = 0;
  const started = performance.now();
  const sent = await paced(rate, STREAM_SECONDS, (count) => {
    const writes = Math.ceil(count / linesPerWrite);
    for (let index = 0; index < writes; index++) {
      let chunk = '';
      for (let line = 0; line < linesPerWrite; line++) chunk += `${lines[cursor++ % NAMES]!}\n`;
      if (!sockets[index % sockets.length]!.write(chunk)) blocked++;
    }
    return writes * linesPerWrite;
  });
  const text = await metricsText(server);
  const stall = `longest stall receive ${(metric(text, /^pulse_statsd_receive_lag_max_seconds\{transport="tcp"\} (\S+)/m) * 1000).toFixed(0)} ms / main ${(metric(text, /^pulse_nodejs_eventloop_lag_max_seconds (\S+)/m) * 1000).toFixed(0)} ms`;
  let accepted = (await beatsAccepted(server, 'tcp')) - before;
  for (let attempt = 0; attempt < 40 && accepted < sent; attempt++) {
    await sleep(250);
    accepted = (await beatsAccepted(server, 'tcp')) - before;
  }
  const seconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.destroy();
  return `TCP ${String(linesPerWrite).padStart(2)} line(s)/write, 50 connections, at ${rate} lines/s for ${STREAM_SECONDS} s: sent ${sent}, accepted ${accepted} (${Math.round(accepted / seconds)}/s incl. drain), lost ${sent - accepted}, writes that hit backpressure ${blocked}, ${stall}`;
}

async function httpRun(server: PulseServer): Promise<string> {
  const script = path.join(os.tmpdir(), `pulse-bench-${process.pid}.lua`);
  writeFileSync(
    script,
    [
      'local counter = 0',
      'request = function()',
      '  counter = counter + 1',
      `  return wrk.format("POST", "/api/services/bench.http" .. (counter % ${NAMES}))`,
      'end',
    ].join('\n'),
  );
  const { stdout } = await runCommand('wrk', [
    '-t2',
    '-c50',
    `-d${HTTP_SECONDS}s`,
    '--timeout',
    '5s',
    '--latency',
    '-s',
    script,
    server.baseUrl,
  ]).catch((error: Error & { stdout?: string }) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('wrk is not installed: apt-get install wrk');
    return { stdout: error.stdout ?? '' };
  });
  rmSync(script, { force: true });
  const figure = (pattern: RegExp) => pattern.exec(stdout)?.[1] ?? '?';
  const non2xx = Number(figure(/Non-2xx or 3xx responses: (\d+)/) === '?' ? 0 : figure(/Non-2xx or 3xx responses: (\d+)/));
  const socketErrors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(stdout)
      ?.slice(1)
      .reduce((sum, n) => sum + Number(n), 0) ?? 0;
  return (
    `HTTP 50 connections, ${HTTP_SECONDS} s, ${NAMES} names: ${figure(/Requests\/sec:\s+([\d.]+)/)} beats/s, ` +
    `p50 ${figure(/\n\s+50%\s+(\S+)/)}, p99 ${figure(/\n\s+99%\s+(\S+)/)}, max ${figure(/Latency\s+\S+\s+\S+\s+(\S+)/)}, errors ${non2xx + socketErrors} (non-2xx ${non2xx}, socket ${socketErrors})`
  );
}

async function main(): Promise<void> {
  console.log(`Pulse heartbeat benchmark: ${os.cpus().length} cores, node ${process.version}, load average ${load()}`);
  if (ONLY === '' || ONLY === 'udp') await udpComparison();
  if (ONLY === '' || ONLY === 'tcp' || ONLY === 'http') {
    const server = await PulseServer.start();
    try {
      if (ONLY !== 'http') {
        for (const [rate, perWrite] of [
          [50_000, 1],
          [200_000, 20],
        ] as const)
          console.log(await tcpRun(server, rate, perWrite));
      }
      if (ONLY !== 'tcp') console.log(await httpRun(server));
    } finally {
      await server.dispose();
    }
  }
  console.log(`load average at the end: ${load()}`);
}

await main();
