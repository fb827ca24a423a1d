/**
 * `npm run bench:heartbeat`: heartbeat ingest figures against a real Pulse server on loopback. Prints
 * figures; asserts nothing. Every load loop is bounded in time and count; traffic goes to 127.0.0.1 only.
 *
 *   UDP  one line per datagram at 50,000 lines/s for 15 s, and 20 lines per datagram at 200,000 lines/s,
 *        over 1,000 names: lines sent vs accepted (the server's beat counter) vs dropped by the kernel
 *        (/proc/net/snmp Udp RcvbufErrors, machine-wide).
 *   TCP  the same two rates over 50 persistent connections.
 *   HTTP wrk, 50 connections, 20 s, POST /api/services/<one of 1,000 names>: beats/s, p50/p99/max, errors.
 */
import dgram from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PulseServer } from '../peers/pulse-server.js';
import { runCommand } from '../support/processes.js';

const NAMES = 1000;
const STREAM_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 20);
const TICK_MS = 5;
/** `BENCH_ONLY=udp` (or tcp, http) runs one part. */
const ONLY = process.env.BENCH_ONLY ?? '';
const names = Array.from({ length: NAMES }, (_, index) => `bench.svc${index}.beat:1|c`);

function rcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('Udp:'));
  const [header, values] = lines.map((line) => line.split(/\s+/));
  return Number(values![header!.indexOf('RcvbufErrors')]);
}

async function beatsAccepted(server: PulseServer, transport: string): Promise<number> {
  const text = (await server.request('GET', '/metrics', { token: server.adminToken })).text;
  return Number(new RegExp(`^pulse_heartbeat_beats_total\\{transport="${transport}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
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
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  return sent;
}

async function settle(server: PulseServer, transport: string, expected: number): Promise<number> {
  let accepted = await beatsAccepted(server, transport);
  for (let attempt = 0; attempt < 40 && accepted < expected; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    accepted = await beatsAccepted(server, transport);
  }
  return accepted;
}

async function udpRun(server: PulseServer, rate: number, linesPerDatagram: number): Promise<string> {
  const socket = dgram.createSocket('udp4');
  socket.connect(server.udpPort, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const before = await beatsAccepted(server, 'udp');
  const dropsBefore = rcvbufErrors();
  let cursor = 0;
  const sent = await paced(rate, STREAM_SECONDS, (count) => {
    const datagrams = Math.ceil(count / linesPerDatagram);
    for (let index = 0; index < datagrams; index++) {
      const lines: string[] = [];
      for (let line = 0; line < linesPerDatagram; line++) lines.push(names[cursor++ % NAMES]!);
      socket.send(lines.join('\n'));
    }
    return datagrams * linesPerDatagram;
  });
  const accepted = (await settle(server, 'udp', before + sent)) - before;
  const dropped = rcvbufErrors() - dropsBefore;
  socket.close();
  return `UDP  ${String(linesPerDatagram).padStart(2)} line(s)/datagram at ${rate} lines/s for ${STREAM_SECONDS} s: sent ${sent} (${Math.round(sent / STREAM_SECONDS)}/s), accepted ${accepted}, lost ${sent - accepted}, kernel-dropped datagrams ${dropped}`;
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
  let cursor = 0;
  let blocked = 0;
  const started = performance.now();
  const sent = await paced(rate, STREAM_SECONDS, (count) => {
    const writes = Math.ceil(count / linesPerWrite);
    for (let index = 0; index < writes; index++) {
      let chunk = '';
      for (let line = 0; line < linesPerWrite; line++) chunk += `${names[cursor++ % NAMES]!}\n`;
      if (!sockets[index % sockets.length]!.write(chunk)) blocked++;
    }
    return writes * linesPerWrite;
  });
  const accepted = (await settle(server, 'tcp', before + sent)) - before;
  const seconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.destroy();
  return `TCP  ${String(linesPerWrite).padStart(2)} line(s)/write, 50 connections, at ${rate} lines/s for ${STREAM_SECONDS} s: sent ${sent}, accepted ${accepted} (${Math.round(accepted / seconds)}/s incl. drain), lost ${sent - accepted}, writes that hit backpressure ${blocked}`;
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
  const server = await PulseServer.start();
  const results: string[] = [];
  try {
    console.log(
      `Pulse heartbeat benchmark: server pid ${server.process.pid}, ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    for (const [rate, perDatagram] of [
      [50_000, 1],
      [200_000, 20],
    ] as const) {
      if (ONLY !== '' && ONLY !== 'udp') break;
      results.push(await udpRun(server, rate, perDatagram));
      console.log(results.at(-1));
    }
    for (const [rate, perWrite] of [
      [50_000, 1],
      [200_000, 20],
    ] as const) {
      if (ONLY !== '' && ONLY !== 'tcp') break;
      results.push(await tcpRun(server, rate, perWrite));
      console.log(results.at(-1));
    }
    if (ONLY === '' || ONLY === 'http') {
      results.push(await httpRun(server));
      console.log(results.at(-1));
    }
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await server.dispose();
  }
}

await main();
