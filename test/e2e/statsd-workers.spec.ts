import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { waitUntil } from '../support/wait.js';

/*
 * statsd received and parsed in worker threads (issue 15): the same counts, order and shutdown as on the
 * main thread. From source on Node 20 `[udp] workers = 2` falls back to one worker (no SO_REUSEPORT);
 * test/e2e/executable.spec.ts runs two in the single executable's Node 22.
 */

/** Loopback has all of 127.0.0.0/8, so a second local sender address needs no set-up. */
const OTHER_LOOPBACK = '127.0.0.2';
const WORKERS_CONFIG = '[udp]\nworkers = 2\n';
const MAIN_THREAD_CONFIG = '[udp]\nworkers = 0\n[tcp]\nworker = false\n';

async function udpSenders(count: number, from = '127.0.0.1'): Promise<dgram.Socket[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
      return socket;
    }),
  );
}

function send(socket: dgram.Socket, text: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(text, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
}

/** Writes `text` on a new connection, waits until the server has it all, and closes. */
function sendTcp(server: PulseServer, text: string, from = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: server.tcpPort, host: '127.0.0.1', localAddress: from }, () => socket.end(text));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

async function metrics(server: PulseServer): Promise<string> {
  return (await server.request('GET', '/metrics', { token: server.adminToken })).text;
}

/** A counter's value, 0 while it has no sample. */
function counter(text: string, series: string): number {
  const escaped = series.replace(/[{}"=.,\\]/g, (char) => `\\${char}`);
  return Number(new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

const beats = (text: string, transport: 'udp' | 'tcp') => counter(text, `pulse_heartbeat_beats_total{transport="${transport}"}`);

/** Datagrams the kernel dropped on full receive buffers, machine-wide (/proc/net/snmp Udp RcvbufErrors). */
function kernelDrops(): number {
  const [header, values] = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('Udp:'))
    .map((line) => line.split(/\s+/));
  return Number(values![header!.indexOf('RcvbufErrors')]);
}

async function serviceNames(server: PulseServer): Promise<Map<string, { timeout: number; last_beat: number }>> {
  const { services } = (await server.request('GET', '/api/services', { token: server.adminToken })).json;
  return new Map(services.map((service: { name: string; timeout: number; last_beat: number }) => [service.name, service]));
}

describe('statsd received in worker threads (issue 15)', () => {
  it('counts every line exactly: beats, bad lines by reason, untrusted datagrams and connections', async () => {
    const server = await PulseServer.start({
      config: `${WORKERS_CONFIG}[heartbeat]\nrequire_token = true\n[statsd]\ntrusted_sources = ["${OTHER_LOOPBACK}/32"]\n`,
    });
    const senders = await udpSenders(8, OTHER_LOOPBACK);
    const strangers = await udpSenders(3, '127.0.0.1');
    try {
      // 4,000 datagrams of 10 lines from 8 senders: 8 beats (over 500 names), a syntax error and a bad value.
      const rounds = 10;
      const perRound = 400;
      let datagram = 0;
      for (let round = 0; round < rounds; round++) {
        for (let index = 0; index < perRound; index++, datagram++) {
          const lines = Array.from({ length: 8 }, (_, line) => `exact.s${(datagram * 8 + line) % 500}.beat:1|c`);
          lines.splice(3, 0, 'garbage');
          lines.push(`exact.s${datagram % 500}.beat:abc|c`);
          await send(senders[datagram % senders.length]!, lines.join('\n'), server.udpPort);
          if (index % 100 === 0) await send(strangers[index % strangers.length]!, 'stranger.beat:1|c\n', server.udpPort);
        }
        // Kept well inside the socket's receive buffer: the next round goes out once this one is counted.
        const expected = (round + 1) * perRound * 8;
        await waitUntil(`round ${round + 1} counted`, async () => beats(await metrics(server), 'udp') >= expected);
      }
      for (let connection = 0; connection < 5; connection++) {
        const lines = Array.from({ length: 2000 }, (_, line) => `exact.t${line % 100}.beat:1|c`);
        lines[1000] = 'exact.t.beat:1|x';
        await sendTcp(server, `${lines.join('\n')}\n`, OTHER_LOOPBACK);
      }
      for (let connection = 0; connection < 2; connection++) {
        await new Promise<void>((resolve) => {
          const socket = net.connect({ port: server.tcpPort, host: '127.0.0.1', localAddress: '127.0.0.1' });
          socket.on('error', () => undefined); // the server resets it
          socket.on('close', () => resolve());
        });
      }
      const text = await waitUntil('the TCP beats and refusals', async () => {
        const current = await metrics(server);
        return beats(current, 'tcp') >= 5 * 1999 && counter(current, 'pulse_statsd_untrusted_refused_total{transport="tcp"}') >= 2
          ? current
          : null;
      });
      assert.equal(beats(text, 'udp'), rounds * perRound * 8);
      assert.equal(counter(text, 'pulse_statsd_invalid_lines_total{transport="udp",reason="syntax"}'), rounds * perRound);
      assert.equal(counter(text, 'pulse_statsd_invalid_lines_total{transport="udp",reason="value"}'), rounds * perRound);
      assert.equal(counter(text, 'pulse_statsd_untrusted_refused_total{transport="udp"}'), rounds * (perRound / 100));
      assert.equal(beats(text, 'tcp'), 5 * 1999);
      assert.equal(counter(text, 'pulse_statsd_invalid_lines_total{transport="tcp",reason="type"}'), 5);
      assert.equal(counter(text, 'pulse_statsd_untrusted_refused_total{transport="tcp"}'), 2);
      assert.equal(counter(text, 'pulse_statsd_overload_dropped_lines_total{transport="udp"}'), 0);
      const names = await serviceNames(server);
      assert.equal(names.size, 500 + 100, 'the names of the trusted senders and nothing from the others');
      assert.equal(names.has('stranger'), false);
    } finally {
      for (const socket of [...senders, ...strangers]) socket.close();
      await server.dispose();
    }
  });

  for (const [where, config] of [
    ['in worker threads', WORKERS_CONFIG],
    ['on the main thread', MAIN_THREAD_CONFIG],
  ] as const) {
    it(`applies each name's commands in the order one sender sent them, across datagrams and batches (${where})`, async () => {
      const server = await PulseServer.start({ config });
      const senders = await udpSenders(4);
      try {
        // Round r sets every name's timeout to r seconds, one datagram per line: 1,000 names x 6 rounds,
        // more than a batch of 4,096 commands. Each sender owns 250 names.
        const names = 1000;
        const rounds = 6;
        for (let round = 1; round <= rounds; round++) {
          for (let index = 0; index < names; index++)
            await send(senders[index % senders.length]!, `seq.n${index}.timeout:${round}|g`, server.udpPort);
          // A marker beat from every sender: once all four are there, the round went through.
          for (const [number, socket] of senders.entries()) await send(socket, `mark.r${round}.s${number}.beat:1|c`, server.udpPort);
          await waitUntil(`round ${round}`, async () => beats(await metrics(server), 'udp') >= round * senders.length);
        }
        const services = await serviceNames(server);
        const wrong = [...services.entries()].filter(([name, service]) => name.startsWith('seq.') && service.timeout !== rounds * 1000);
        assert.deepEqual(
          wrong.map(([name, service]) => `${name}: ${service.timeout}`),
          [],
          'every name keeps the last timeout it was sent',
        );
        assert.equal([...services.keys()].filter((name) => name.startsWith('seq.')).length, names);

        // One connection: the same, as a stream.
        const lines: string[] = [];
        for (let round = 1; round <= rounds; round++)
          for (let index = 0; index < names; index++) lines.push(`seqtcp.n${index}.timeout:${round}|g`);
        lines.push('seqtcp.done.beat:1|c');
        await sendTcp(server, `${lines.join('\n')}\n`);
        await waitUntil('the TCP lines', async () => beats(await metrics(server), 'tcp') >= 1);
        const after = await serviceNames(server);
        assert.equal(
          [...after.entries()].filter(([name, service]) => name.startsWith('seqtcp.n') && service.timeout === rounds * 1000).length,
          names,
        );
      } finally {
        for (const socket of senders) socket.close();
        await server.dispose();
      }
    });

    it(`a normal stop applies and saves every line already waiting in its sockets (${where})`, async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-statsd-drain-'));
      try {
        const first = await PulseServer.start({ dataDir, config });
        const admin = first.adminToken!;
        const [socket] = await udpSenders(1);
        // The server is frozen (SIGSTOP) while 2,000 datagrams (about 2 MB of the 8 MB receive buffer) and
        // a connection with 2,000 lines wait in the kernel for it; it then wakes to SIGTERM and everything
        // at once, so it may begin to stop before it has read any of them.
        process.kill(first.process.pid, 'SIGSTOP');
        let connection: net.Socket | null = null;
        try {
          for (let index = 0; index < 2000; index++) await send(socket!, `drain.u${index}.beat:1|c`, first.udpPort);
          connection = await new Promise<net.Socket>((resolve, reject) => {
            const opened = net.connect(first.tcpPort, '127.0.0.1', () => resolve(opened));
            opened.on('error', reject);
          });
          connection.on('error', () => undefined);
          const tcpLines = Array.from({ length: 2000 }, (_, index) => `drain.t${index}.beat:1|c\n`).join('');
          await new Promise<void>((resolve, reject) => connection!.write(tcpLines, (error) => (error ? reject(error) : resolve())));
        } finally {
          socket!.close();
          const stopped = first.stop();
          process.kill(first.process.pid, 'SIGCONT');
          await stopped;
          connection?.destroy();
        }
        assert.equal(first.process.signal, 'SIGTERM', 'a normal stop, not the SIGKILL after the grace period');

        const second = await PulseServer.start({ dataDir, config });
        try {
          const services = (await second.request('GET', '/api/services', { token: admin })).json.services as {
            name: string;
            last_beat: number;
          }[];
          const saved = (prefix: string) => services.filter((service) => service.name.startsWith(prefix) && service.last_beat > 0).length;
          assert.deepEqual([saved('drain.u'), saved('drain.t')], [2000, 2000]);
        } finally {
          await second.stop();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  it('at 150,000 lines/s (one per datagram) loses nothing inside Pulse: every line the kernel delivered is counted', async () => {
    const server = await PulseServer.start({ config: WORKERS_CONFIG });
    const senders = await udpSenders(8);
    try {
      const rate = 150_000;
      const seconds = 2;
      const lines = Array.from({ length: 1000 }, (_, index) => Buffer.from(`rate.s${index}.beat:1|c`));
      const dropsBefore = kernelDrops();
      const started = performance.now();
      let sent = 0;
      // Paced in 5 ms steps; bounded in count (rate x seconds) and time (seconds + 5 s).
      while (sent < rate * seconds && performance.now() - started < (seconds + 5) * 1000) {
        const due = Math.min(rate * seconds, Math.floor((rate * (performance.now() - started)) / 1000));
        for (; sent < due; sent++) senders[sent % senders.length]!.send(lines[sent % lines.length]!, server.udpPort, '127.0.0.1');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // The sends above are queued in this process; each socket's queue is empty once they are with the kernel.
      await waitUntil('the senders to finish', () => senders.every((socket) => socket.getSendQueueCount() === 0));
      const drops = kernelDrops() - dropsBefore;
      let text = await metrics(server);
      let accepted = -1;
      // Until the count stops moving: the receivers hand over every 10 ms.
      while (beats(text, 'udp') !== accepted) {
        accepted = beats(text, 'udp');
        await new Promise((resolve) => setTimeout(resolve, 500));
        text = await metrics(server);
      }
      const figures = `sent ${sent} in ${((performance.now() - started) / 1000).toFixed(1)} s, accepted ${accepted}, kernel drops (machine-wide) ${drops}`;
      assert.ok(accepted <= sent, `never more than was sent: ${figures}`);
      assert.ok(accepted + drops >= sent, `what the kernel did not drop was counted: ${figures}`);
      assert.equal(counter(text, 'pulse_statsd_overload_dropped_lines_total{transport="udp"}'), 0, figures);
      assert.equal(counter(text, 'pulse_statsd_invalid_lines_total{transport="udp",reason="syntax"}'), 0, figures);
      assert.match(text, /^pulse_statsd_receive_lag_max_seconds\{transport="udp"\} \d/m);
    } finally {
      for (const socket of senders) socket.close();
      await server.dispose();
    }
  });
});
