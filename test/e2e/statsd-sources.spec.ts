import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { eventually } from '../support/netcat.js';
import { waitUntil } from '../support/wait.js';

/** Loopback has all of 127.0.0.0/8, so a second local sender address needs no set-up. */
const OTHER_LOOPBACK = '127.0.0.2';

function sendDatagram(server: PulseServer, text: string, from: string): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise<void>((resolve, reject) => {
    socket.bind(0, from, () =>
      socket.send(text, server.udpPort, '127.0.0.1', (error) => {
        socket.close();
        if (error) reject(error);
        else resolve();
      }),
    );
  });
}

function connect(server: PulseServer, from: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: server.tcpPort, host: '127.0.0.1', localAddress: from }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** 'closed' when the server closes the socket; 'served' when a beat sent on it is applied. */
async function closedOrServed(server: PulseServer, socket: net.Socket, service: string): Promise<'closed' | 'served'> {
  socket.on('error', () => undefined); // writing into a connection the server reset
  const closed = new Promise<'closed'>((resolve) => (socket.destroyed ? resolve('closed') : socket.once('close', () => resolve('closed'))));
  socket.write(`${service}.beat:1|c\n`);
  let done = false;
  const served = (async () => {
    while (!done) {
      const found = await server.request('GET', `/api/services/${service}`, { token: server.adminToken });
      if (found.status === 200) return 'served' as const;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return 'closed' as const;
  })();
  const outcome = await Promise.race([closed, served]);
  done = true;
  socket.destroy();
  return outcome;
}

const metric = async (server: PulseServer, pattern: RegExp) =>
  eventually(
    async () => (await server.request('GET', '/metrics', { token: server.adminToken })).text,
    (text) => pattern.test(text),
  );

describe('statsd with [heartbeat] require_token = true (SPEC §13, issue 8 item 3)', () => {
  it('takes statsd from loopback by default', async () => {
    const server = await PulseServer.start({ config: '[heartbeat]\nrequire_token = true\n' });
    try {
      await sendDatagram(server, 'local.job.beat:1|c\n', '127.0.0.1');
      const job = await waitUntil(
        'the loopback beat',
        async () => (await server.request('GET', '/api/services/local.job', { token: server.adminToken })).json?.service,
      );
      assert.equal(job.state, 'ok');
      const anonymous = await server.request('POST', '/api/services/http.job');
      assert.equal(anonymous.status, 401, 'HTTP beats still need the token');
    } finally {
      await server.dispose();
    }
  });

  it('refuses datagrams and connections from senders outside trusted_sources, counted and logged', async () => {
    const server = await PulseServer.start({
      args: ['--debug'],
      config: `[heartbeat]\nrequire_token = true\n[statsd]\ntrusted_sources = ["${OTHER_LOOPBACK}/32"]\n`,
    });
    try {
      // Sent in this order to the same socket: once the trusted beat is there, the untrusted one was handled.
      await sendDatagram(server, 'untrusted.udp.beat:1|c\n', '127.0.0.1');
      await sendDatagram(server, 'trusted.udp.beat:1|c\n', OTHER_LOOPBACK);
      await waitUntil(
        'the trusted beat',
        async () => (await server.request('GET', '/api/services/trusted.udp', { token: server.adminToken })).status === 200,
      );
      assert.equal((await server.request('GET', '/api/services/untrusted.udp', { token: server.adminToken })).status, 404);

      assert.equal(await closedOrServed(server, await connect(server, '127.0.0.1'), 'untrusted.tcp'), 'closed');
      assert.equal(await closedOrServed(server, await connect(server, OTHER_LOOPBACK), 'trusted.tcp'), 'served');

      const metrics = await metric(server, /^pulse_statsd_untrusted_refused_total\{transport="tcp"\} 1$/m);
      assert.match(metrics, /^pulse_statsd_untrusted_refused_total\{transport="udp"\} 1$/m);
      assert.match(metrics, /^pulse_statsd_untrusted_refused_total\{transport="tcp"\} 1$/m);
      assert.match(server.process.stderr, /DEBUG \[Statsd\] refused statsd datagram from 127\.0\.0\.1: not in \[statsd\] trusted_sources/);
      assert.match(
        server.process.stderr,
        /DEBUG \[Statsd\] refused statsd connection from 127\.0\.0\.1: not in \[statsd\] trusted_sources/,
      );
    } finally {
      await server.dispose();
    }
  });
});

describe('statsd TCP connections per source (issue 8 item 5)', () => {
  it('closes connections beyond max_connections_per_source from one address and still serves the others', async () => {
    const server = await PulseServer.start({ config: '[tcp]\nmax_connections = 10\nmax_connections_per_source = 2\n' });
    const held: net.Socket[] = [];
    try {
      held.push(await connect(server, '127.0.0.1'), await connect(server, '127.0.0.1'));
      assert.equal(await closedOrServed(server, await connect(server, '127.0.0.1'), 'third.from.one'), 'closed');
      assert.equal(await closedOrServed(server, await connect(server, OTHER_LOOPBACK), 'first.from.two'), 'served');
      const metrics = await metric(server, /^pulse_statsd_tcp_connections_refused_total\{limit="max_connections_per_source"\} 1$/m);
      assert.match(metrics, /^pulse_statsd_tcp_connections_refused_total\{limit="max_connections_per_source"\} 1$/m);

      // A held connection that closes makes room for that address again.
      const closed = new Promise((resolve) => held[0]!.once('close', resolve));
      held[0]!.end();
      await closed;
      const again = await waitUntil('a free slot for 127.0.0.1', async () => {
        const socket = await connect(server, '127.0.0.1');
        const outcome = await closedOrServed(server, socket, 'again.from.one');
        return outcome === 'served' ? outcome : null;
      });
      assert.equal(again, 'served');
    } finally {
      for (const socket of held) socket.destroy();
      await server.dispose();
    }
  });
});
