import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import StatsD from 'hot-shots';
import { PulseServer } from '../peers/pulse-server.js';
import { eventually, netcat } from '../support/netcat.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

describe('statsd listener with real clients (SPEC §6)', { skip: skipUnlessInstalled('nc') }, () => {
  let server: PulseServer;
  let admin: string;

  before(async () => {
    server = await PulseServer.start({ args: ['--debug'], config: '[tcp]\nmax_line_bytes = 4096\n' });
    admin = server.adminToken!;
  });
  after(() => server.dispose());

  const service = async (name: string) => (await server.request('GET', `/api/services/${name}`, { token: admin })).json?.service;
  const whenPresent = (name: string, check: (value: any) => boolean = (value) => value !== undefined) =>
    eventually(() => service(name), check);
  const udp = (input: string | Buffer) => netcat(['-4u', '-w0', '127.0.0.1', String(server.udpPort)], input);
  const tcp = (input: string | Buffer, extra: string[] = []) => netcat(['-N', ...extra, '127.0.0.1', String(server.tcpPort)], input);

  // Lovebeat's manual writes `nc -c` (close at EOF, CRLF line ends in its netcat); Debian's netcat-openbsd
  // spells that `-N -C`.
  it("takes the commands of Lovebeat's manual from nc over UDP and TCP", async () => {
    await udp('invoice.mailer.beat:1|c\n');
    assert.equal((await whenPresent('invoice.mailer')).state, 'ok');

    await tcp('invoice.mailer.timeout:3600|g\n', ['-C']);
    assert.equal((await whenPresent('invoice.mailer', (value) => value?.timeout === 3_600_000)).timeout, 3_600_000);

    await tcp('invoice.auto.timeout:-2|g\ninvoice.auto.beat:1|c\n', ['-C']);
    const auto = await whenPresent('invoice.auto', (value) => value?.last_beat > 0);
    assert.equal(auto.timeout, -2);
    assert.equal(auto.state, 'new', 'learning: an automatic timeout needs two intervals first');

    await udp('invoice.autobeat.autobeat:1|c\n');
    const autobeat = await whenPresent('invoice.autobeat');
    assert.deepEqual([autobeat.timeout, autobeat.last_beat > 0], [-2, true]);
  });

  it('takes beats and timeouts from the hot-shots statsd client, over UDP and TCP', async () => {
    for (const protocol of ['udp', 'tcp'] as const) {
      const client = new StatsD({
        host: '127.0.0.1',
        port: protocol === 'udp' ? server.udpPort : server.tcpPort,
        protocol,
        prefix: `shop.${protocol}.`,
      });
      client.gauge('checkout.timeout', 120);
      client.increment('checkout.beat');
      client.increment('checkout.beat', 1, 0.5);
      await new Promise<void>((resolve) => client.close(() => resolve()));
      const checkout = await whenPresent(`shop.${protocol}.checkout`, (value) => value?.timeout === 120_000 && value?.last_beat > 0);
      assert.equal(checkout.state, 'ok', protocol);
    }
  });

  it('skips, counts and logs bad lines in a datagram and applies the good ones around them', async () => {
    const datagram = [
      'mixed.first.beat:1|c',
      '',
      'garbage',
      ':1|c',
      'mixed.bad.beat:abc|c',
      `${'n'.repeat(300)}.beat:1|c`,
      'nul\0byte.beat:1|c',
      'mixed.last.beat:1|c|@0.1',
    ].join('\r\n');
    await udp(datagram);
    await udp('');
    await whenPresent('mixed.last');
    assert.equal((await service('mixed.first')).state, 'ok');
    const metrics = (await server.request('GET', '/metrics', { token: admin })).text;
    assert.match(metrics, /^pulse_statsd_invalid_lines_total\{transport="udp",reason="syntax"\} 2$/m);
    assert.match(metrics, /^pulse_statsd_invalid_lines_total\{transport="udp",reason="value"\} 1$/m);
    assert.match(metrics, /^pulse_statsd_invalid_lines_total\{transport="udp",reason="name"\} 2$/m);
    assert.match(
      server.process.stderr,
      /DEBUG \[Statsd\] skipped statsd line from 127\.0\.0\.1:\d+ over udp: value must be a number, not "abc": "mixed\.bad\.beat:abc\|c"/,
    );
    assert.match(
      server.process.stderr,
      /skipped statsd line from 127\.0\.0\.1:\d+ over udp: service names are 1 to 255 characters.*"nul\\u0000byte\.beat:1\|c"/,
    );
  });

  it('survives a 1 MiB TCP line and keeps the connection and the lines after it', async () => {
    const input = `tcp.before.beat:1|c\n${'x'.repeat(1024 * 1024)}\ntcp.after.beat:1|c\n`;
    const result = await tcp(input);
    assert.equal(result.code, 0);
    assert.equal((await whenPresent('tcp.after')).state, 'ok');
    assert.equal((await service('tcp.before')).state, 'ok');
    const metrics = (await server.request('GET', '/metrics', { token: admin })).text;
    assert.match(metrics, /^pulse_statsd_invalid_lines_total\{transport="tcp",reason="too_long"\} 1$/m);
    await udp('still.listening.beat:1|c\n');
    assert.equal((await whenPresent('still.listening')).state, 'ok', 'the UDP listener is still there too');
  });

  it('takes a 64 KiB datagram of lines', async () => {
    const lines: string[] = [];
    for (let index = 0; lines.join('\n').length < 65_000; index++) lines.push(`bulk.s${index}.beat:1|c`);
    lines.pop();
    const datagram = Buffer.from(lines.join('\n'));
    assert.ok(datagram.length > 60_000 && datagram.length <= 65_507, `${datagram.length} bytes`);
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      socket.send(datagram, server.udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
    );
    socket.close();
    const last = lines.at(-1)!.replace('.beat:1|c', '');
    assert.equal((await whenPresent(last)).state, 'ok');
    assert.equal((await service('bulk.s0')).state, 'ok');
  });

  it('reports both listeners in /readyz', async () => {
    const ready = await server.request('GET', '/readyz');
    assert.deepEqual(ready.json, { status: 'ready', checks: { database: 'ok', statsd_udp: 'ok', statsd_tcp: 'ok' } });
  });
});

describe('statsd TCP limits', () => {
  it('closes connections beyond max_connections and idle ones, and keeps serving', async () => {
    const server = await PulseServer.start({ config: '[tcp]\nmax_connections = 2\nidle_timeout = 1\n' });
    const connect = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect(server.tcpPort, '127.0.0.1', () => resolve(socket));
        socket.on('error', reject);
      });
    const closed = (socket: net.Socket) =>
      new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
    try {
      const first = await connect();
      const second = await connect();
      first.write('held.one.beat:1|c\n');
      const third = await connect().catch(() => null);
      if (third) await closed(third); // the server drops it at once
      const metrics = await eventually(
        async () => (await server.request('GET', '/metrics', { token: server.adminToken })).text,
        (text) => /^pulse_statsd_tcp_connections_refused_total\{limit="max_connections"\} 1$/m.test(text),
      );
      assert.match(metrics, /^pulse_statsd_tcp_connections_refused_total\{limit="max_connections"\} 1$/m);
      await Promise.all([closed(first), closed(second)]); // idle_timeout = 1 s
      const fresh = await connect();
      fresh.end('after.idle.beat:1|c\n');
      await closed(fresh);
      const after = await eventually(
        async () => (await server.request('GET', '/api/services/after.idle', { token: server.adminToken })).json?.service,
        (value) => value !== undefined,
      );
      assert.equal(after.state, 'ok');
      assert.equal((await server.request('GET', '/api/services/held.one', { token: server.adminToken })).json.service.state, 'ok');
    } finally {
      await server.dispose();
    }
  });
});

/**
 * One datagram's lines (and one connection's) in the order they were sent: a job's start, beat and fail,
 * then 1,500 timeouts for another service (more than one batch between the receiver and the engine).
 */
function orderedLines(prefix: string): { text: string; timeouts: number } {
  const timeouts = 1500;
  const lines = [`${prefix}.job.start:1|c`, `${prefix}.job.beat:1|c`, `${prefix}.job.fail:1|c`];
  for (let seconds = 1; seconds <= timeouts; seconds++) lines.push(`${prefix}.t.timeout:${seconds}|g`);
  lines.push(`${prefix}.t.beat:1|c`);
  return { text: `${lines.join('\n')}\n`, timeouts };
}

describe('statsd lines are applied in the order they arrive', () => {
  for (const [where, config] of [
    ['received in worker threads', ''],
    ['received on the main thread ([udp] workers = 0, [tcp] worker = false)', '[udp]\nworkers = 0\n[tcp]\nworker = false\n'],
  ] as const) {
    it(`within one datagram and one connection, ${where}`, async () => {
      const server = await PulseServer.start({ config });
      try {
        const udp = orderedLines('order.udp');
        assert.ok(Buffer.byteLength(udp.text) < 65_000);
        const socket = dgram.createSocket('udp4');
        await new Promise<void>((resolve, reject) =>
          socket.send(udp.text, server.udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
        );
        socket.close();
        const tcp = orderedLines('order.tcp');
        await new Promise<void>((resolve, reject) => {
          const connection = net.connect(server.tcpPort, '127.0.0.1', () => connection.end(tcp.text));
          connection.on('close', () => resolve());
          connection.on('error', reject);
        });
        for (const transport of ['udp', 'tcp']) {
          const get = async (name: string) =>
            (await server.request('GET', `/api/services/order.${transport}.${name}?details=1`, { token: server.adminToken })).json?.service;
          const timed = await eventually(
            () => get('t'),
            (service) => service?.last_beat > 0,
          );
          assert.equal(timed.timeout, 1500 * 1000, `${transport}: the last of 1,500 timeouts is the one that stays`);
          const job = await get('job');
          assert.deepEqual(
            job.runs.map((run: { started_at: number | null; result: string }) => [run.started_at === null, run.result]),
            [
              [false, 'ok'],
              [true, 'failed'],
            ],
            `${transport}: start, then a beat ending that run, then a failure`,
          );
          assert.deepEqual([job.state, job.problem], ['error', 'failed'], `${transport}: the fail came last`);
        }
      } finally {
        await server.dispose();
      }
    });
  }
});
