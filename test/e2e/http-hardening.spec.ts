import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';

/** Sends raw bytes (for requests fetch refuses to make) and returns the whole answer as text. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

function parseRaw(answer: string): { status: number; headers: Record<string, string>; body: any } {
  const [head, ...rest] = answer.split('\r\n\r\n');
  const [statusLine, ...lines] = head!.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) };
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('odd input gets a 400 naming the field, never a 500 (issue 8 item 10)', () => {
  let server: PulseServer;
  let admin: string;

  before(async () => {
    server = await PulseServer.start({ config: '[http]\nmax_body_bytes = 1048576\n' });
    admin = server.adminToken!;
    const monitor = await server.request('POST', '/api/monitors', {
      token: admin,
      json: { name: 'web', type: 'http', target: 'http://127.0.0.1:9/', interval: 3600 },
    });
    assert.equal(monitor.status, 201, monitor.text);
  });
  after(() => server.dispose());

  function assertApiError(response: { status: number; json: any; text: string }, status: number, error: string, message?: RegExp) {
    assert.equal(response.status, status, response.text);
    const keys = error === 'validation_failed' ? ['error', 'fields', 'message'] : ['error', 'message'];
    assert.deepEqual(Object.keys(response.json ?? {}).sort(), keys, response.text);
    assert.equal(response.json.error, error, response.text);
    if (message) assert.match(response.json.message, message);
  }

  it('refuses times that do not exist in ?since= and ?until=', async () => {
    for (const [query, field] of [
      ['results?since=2026-99-99', 'since'],
      ['results?until=2026-02-31T12:00:00Z', 'until'],
      ['results?since=2026-11-22T25:00:00Z', 'since'],
      ['history?since=2026-99-99', 'since'],
      ['history?until=2026-13-01', 'until'],
      ['results?since=99999999999999999', 'since'],
    ]) {
      assertApiError(
        await server.request('GET', `/api/monitors/1/${query}`, { token: admin }),
        400,
        'validation_failed',
        new RegExp(`^${field}: `),
      );
    }
    assert.equal(
      (await server.request('GET', '/api/monitors/1/results?since=2026-02-28&until=1893456000000', { token: admin })).status,
      200,
    );
  });

  it('refuses ids no row can have, instead of answering for another id', async () => {
    assertApiError(
      await server.request('GET', '/api/monitors/9999999999999999', { token: admin }),
      400,
      'validation_failed',
      /^id: must be at most 2147483647/,
    );
    assertApiError(
      await server.request('GET', '/api/monitors/2147483648', { token: admin }),
      400,
      'validation_failed',
      /^id: must be at most 2147483647/,
    );
    assert.equal((await server.request('GET', '/api/monitors/2147483647', { token: admin })).status, 404);
  });

  it('refuses null where a value is optional, instead of taking it as "absent" or as a value', async () => {
    assertApiError(
      await server.request('POST', '/api/tokens/', { token: admin, json: { name: 'x', type: 'agent', expires_in_days: null } }),
      400,
      'validation_failed',
      /^expires_in_days: must be a whole number of days$/,
    );
    const tokens = (await server.request('GET', '/api/tokens/', { token: admin })).json.tokens;
    assert.equal(tokens.length, 1, 'no token was made');
    assertApiError(
      await server.request('POST', '/api/maintenance', { token: admin, json: { name: 'w', cron: null, duration_min: 10, all: true } }),
      400,
      'validation_failed',
      /^cron: /,
    );
    const quorum = await server.request('PUT', '/api/monitors/1', {
      token: admin,
      json: { name: 'web', type: 'http', target: 'http://127.0.0.1:9/', interval: 3600, quorum: null },
    });
    assert.equal(quorum.status, 200, 'null still means "no quorum" where the API says so');
  });

  it('refuses JSON nested deeper than 32 levels, wherever it is sent', async () => {
    const deepOptions = `{"name":"deep","type":"http","target":"http://127.0.0.1:9/","options":${nested(5000)}}`;
    const headers = { 'content-type': 'application/json' };
    for (const [method, path] of [
      ['POST', '/api/monitors'],
      ['POST', '/api/services/deep.beat'],
      ['POST', '/api/alerts'],
    ]) {
      assertApiError(
        await server.request(method!, path!, { token: admin, body: deepOptions, headers }),
        400,
        'invalid_json',
        /nested more than 32 levels deep/,
      );
    }
    const arrays = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    assertApiError(await server.request('POST', '/api/tokens/', { token: admin, body: arrays, headers }), 400, 'invalid_json');
    const shallow = await server.request('POST', '/api/monitors', {
      token: admin,
      body: `{"name":"fine","type":"http","target":"http://127.0.0.1:9/","interval":3600,"options":{"headers":{"Accept":"text/html"}}}`,
      headers,
    });
    assert.equal(shallow.status, 201, shallow.text);
  });

  it("answers Fastify's and Node's own errors in the same {error, message} shape", async () => {
    assertApiError(await server.request('GET', `/api/services/${'a'.repeat(2000)}`, { token: admin }), 414, 'uri_too_long');
    assertApiError(await server.request('GET', '/api/services/%zz', { token: admin }), 400, 'bad_request');
    assertApiError(
      await server.request('POST', '/api/tokens/', { token: admin, body: '{"name":', headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_json',
    );
    assertApiError(
      await server.request('POST', '/api/tokens/', { token: admin, body: '<a/>', headers: { 'content-type': 'application/xml' } }),
      415,
      'unsupported_media_type',
    );
    const badLength = parseRaw(
      await rawRequest(Number(new URL(server.baseUrl).port), 'POST /api/services/x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n{}'),
    );
    assert.equal(badLength.status, 400);
    assert.deepEqual(badLength.body, { error: 'bad_request', message: 'The request is not valid HTTP/1.1.' });
    const bigHeaders = parseRaw(
      await rawRequest(Number(new URL(server.baseUrl).port), `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    );
    assert.equal(bigHeaders.status, 431);
    assert.deepEqual(Object.keys(bigHeaders.body).sort(), ['error', 'message']);
    assert.doesNotMatch(server.process.stderr, /ERROR \[HTTP\]/, 'nothing above was a 500');
  });
});

describe(
  'odd input on PostgreSQL, whose ids are 32-bit',
  { skip: !process.env.PULSE_TEST_POSTGRES_URL && 'PostgreSQL is not installed' },
  () => {
    it('refuses ids and paging positions beyond what an id can be, instead of failing in the database', async () => {
      const { createTestDatabase } = await import('../support/databases.js');
      const database = await createTestDatabase('postgres');
      const server = await PulseServer.start({ env: { PULSE_DATABASE_URL: (database.target as { url: string }).url } });
      try {
        const admin = server.adminToken!;
        for (const [method, path] of [
          ['GET', '/api/monitors/2147483648'],
          ['GET', '/api/monitors/9007199254740991/results'],
          ['DELETE', '/api/tokens/3000000000'],
          ['GET', '/api/maintenance/2147483648'],
          ['GET', '/api/alerts/deliveries?before=3000000000'],
        ]) {
          const response = await server.request(method!, path!, { token: admin });
          assert.equal(response.status, 400, `${method} ${path}: ${response.text}`);
          assert.equal(response.json.error, 'validation_failed');
        }
        assert.equal((await server.request('GET', '/api/monitors/2147483647', { token: admin })).status, 404, 'the largest id is an id');
        assert.equal((await server.request('GET', '/api/alerts/deliveries?before=2147483647', { token: admin })).status, 200);
        assert.doesNotMatch(server.process.stderr, /ERROR \[HTTP\]/, 'no 500');
      } finally {
        await server.dispose();
        await database.dispose();
      }
    });
  },
);

describe('security headers on every response (issue 8 item 14)', () => {
  let server: PulseServer;

  before(async () => {
    server = await PulseServer.start();
  });
  after(() => server.dispose());

  it('sends X-Content-Type-Options: nosniff and Referrer-Policy: same-origin on answers of every kind', async () => {
    const admin = server.adminToken!;
    const answers = [
      await server.request('GET', '/api/tokens/', { token: admin }),
      await server.request('GET', '/api/tokens/'),
      await server.request('GET', '/api/nothing-here'),
      await server.request('POST', '/api/services/headers.beat'),
      await server.request('POST', '/api/services/bad%20name'),
      await server.request('GET', '/api/status'),
      await server.request('GET', '/healthz'),
      await server.request('GET', '/readyz'),
      await server.request('GET', '/metrics', { token: admin }),
      await server.request('GET', `/api/services/${'a'.repeat(2000)}`),
      await server.request('GET', '/api/services/%zz'),
    ];
    for (const answer of answers) {
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', `${answer.status} ${answer.text.slice(0, 80)}`);
      assert.equal(answer.headers.get('referrer-policy'), 'same-origin', `${answer.status} ${answer.text.slice(0, 80)}`);
    }
    const raw = parseRaw(
      await rawRequest(Number(new URL(server.baseUrl).port), 'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n'),
    );
    assert.equal(raw.headers['x-content-type-options'], 'nosniff');
    assert.equal(raw.headers['referrer-policy'], 'same-origin');
  });
});
