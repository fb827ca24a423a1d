import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { netcat } from '../support/netcat.js';
import { waitUntil } from '../support/wait.js';

/** A raw request line, for paths fetch would normalise ("/api/services/.." becomes "/api/"). */
function rawStatus(server: PulseServer, requestLine: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1', () =>
      socket.end(`${requestLine}\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`),
    );
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(answer.split(' ')[1])));
  });
}

describe('what reaches the log (issue 8 item 11)', () => {
  let server: PulseServer;
  let admin: string;

  before(async () => {
    server = await PulseServer.start({ args: ['--debug'] });
    admin = server.adminToken!;
  });
  after(() => server.dispose());

  it('escapes CR, LF, NUL and ESC in logged names, so no log line can be forged', async () => {
    const forged = '2026-01-01T00:00:00.000Z INFO  [Auth] admin signed in from 10.0.0.1';
    const created = await server.request('POST', '/api/tokens/', {
      token: admin,
      json: { name: `ci\r\n${forged}\u0000\u001b[2J`, type: 'agent' },
    });
    assert.equal(created.status, 201);
    await waitUntil('the token log line', () => /token #2 /.test(server.process.stderr));
    const lines = server.process.stderr.split('\n');
    assert.ok(!lines.some((line) => line.startsWith(forged) || line.startsWith(`\r${forged}`)), 'no forged line');
    assert.match(
      server.process.stderr,
      /token #2 "ci\\r\\n2026-01-01T00:00:00\.000Z INFO {2}\[Auth\] admin signed in from 10\.0\.0\.1\\x00\\x1b\[2J" \(agent\) created/,
    );
    assert.doesNotMatch(server.process.stderr, /\u001b/, 'no escape character reaches the terminal');
  });

  it('logs monitor targets without the credentials in them', async () => {
    const monitor = await server.request('POST', '/api/monitors', {
      token: admin,
      json: { name: 'private', type: 'http', target: 'http://deploy:hunter2-secret@127.0.0.1:9/health', interval: 3600 },
    });
    assert.equal(monitor.status, 201, monitor.text);
    await waitUntil('the monitor log line', () => /monitor \d+ "private"/.test(server.process.stderr));
    assert.match(server.process.stderr, /monitor \d+ "private" \(http http:\/\/deploy:\*\*\*@127\.0\.0\.1:9\/health\) created/);
    assert.doesNotMatch(server.process.stderr, /hunter2-secret/);
  });

  it('refuses the service names "." and "..", over statsd and over HTTP', async () => {
    await netcat(['-4u', '-w0', '127.0.0.1', String(server.udpPort)], '..beat:1|c\n...beat:1|c\nafter.dots.beat:1|c\n');
    await waitUntil(
      'the beat after the dots',
      async () => (await server.request('GET', '/api/services/after.dots', { token: admin })).status === 200,
    );
    const names = ((await server.request('GET', '/api/services', { token: admin })).json.services as { name: string }[]).map((s) => s.name);
    assert.deepEqual(names, ['after.dots']);
    const metrics = await server.request('GET', '/metrics', { token: admin });
    assert.match(metrics.text, /^pulse_statsd_invalid_lines_total\{transport="udp",reason="name"\} 2$/m);
    for (const path of ['/api/services/..', '/api/services/%2e%2e', '/api/services/.', '/api/services/%2E/start']) {
      assert.equal(await rawStatus(server, `POST ${path} HTTP/1.1`), 400, path);
    }
  });
});
