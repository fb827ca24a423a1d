import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PulseServer } from '../peers/pulse-server.js';

const UNAUTHORIZED = { error: 'unauthorized', message: 'Send a valid, unexpired token as "Authorization: Bearer <token>".' };

describe('tokens API and auth (SPEC §2)', () => {
  let server: PulseServer;
  let admin: string;

  before(async () => {
    server = await PulseServer.start({ config: '[http]\nauth_failures_per_minute = 1000\n' });
    admin = server.adminToken!;
  });
  after(() => server.dispose());

  const create = (json: unknown, token: string | null = admin) => server.request('POST', '/api/tokens/', { token, json });

  it('creates each type with its prefix and shows the secret in that response only', async () => {
    for (const type of ['admin', 'agent', 'poller', 'ingest']) {
      const response = await create({ name: `${type} one`, type, expires_in_days: 30 });
      assert.equal(response.status, 201);
      assert.deepEqual(Object.keys(response.json).sort(), ['created_at', 'expires_at', 'id', 'name', 'token', 'type']);
      assert.match(response.json.token, new RegExp(`^sw_${type}_[0-9a-f]{64}$`));
      assert.equal(Date.parse(response.json.expires_at) - Date.parse(response.json.created_at), 30 * 86_400_000);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const list = await server.request('GET', '/api/tokens', { token: admin });
      assert.ok(!list.text.includes(response.json.token));
      const listed = list.json.tokens.find((item: { id: number }) => item.id === response.json.id);
      assert.equal(listed.hint, `…${response.json.token.slice(-4)}`);
      assert.equal(listed.revoked, false);
      assert.equal(listed.expired, false);
    }
  });

  it('refuses agent, poller and ingest tokens on admin routes with 403', async () => {
    for (const type of ['agent', 'poller', 'ingest']) {
      const { json } = await create({ name: `scoped ${type}`, type });
      for (const [method, url] of [
        ['GET', '/api/tokens/'],
        ['POST', '/api/tokens/'],
        ['DELETE', '/api/tokens/1'],
        ['GET', '/metrics'],
      ] as const) {
        const response = await server.request(method, url, {
          token: json.token,
          json: method === 'POST' ? { name: 'x', type: 'admin' } : undefined,
        });
        assert.equal(response.status, 403, `${type} token on ${method} ${url}`);
        assert.equal(response.json.error, 'forbidden');
        assert.match(response.json.message, new RegExp(`needs a token of type admin; the token sent is of type ${type}`));
      }
    }
  });

  it('answers 401 with one message for missing, malformed, unknown, expired and revoked tokens', async () => {
    const unknown = 'sw_admin_' + '0'.repeat(64);
    const cases: [string, Record<string, string>][] = [
      ['malformed header', { authorization: 'Token abc' }],
      ['not a Pulse token', { authorization: 'Bearer hunter2' }],
      ['unknown token', { authorization: `Bearer ${unknown}` }],
      ['wrong type prefix', { authorization: `Bearer sw_robot_${'a'.repeat(64)}` }],
    ];
    for (const [label, headers] of cases) {
      const response = await server.request('GET', '/api/tokens/', { headers });
      assert.equal(response.status, 401, label);
      assert.deepEqual(response.json, UNAUTHORIZED, label);
    }
    const missing = await server.request('GET', '/api/tokens/');
    assert.equal(missing.status, 401);
    assert.equal(missing.json.error, 'unauthorized');

    const { json: toRevoke } = await create({ name: 'revoke me', type: 'admin' });
    assert.equal((await server.request('GET', '/api/tokens/', { token: toRevoke.token })).status, 200);
    const revoked = await server.request('DELETE', `/api/tokens/${toRevoke.id}`, { token: admin });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.json.revoked, true);
    const afterRevoke = await server.request('GET', '/api/tokens/', { token: toRevoke.token });
    assert.equal(afterRevoke.status, 401, 'revocation takes effect on the very next request');
    assert.deepEqual(afterRevoke.json, UNAUTHORIZED);

    const { json: toExpire } = await create({ name: 'expire me', type: 'admin', expires_in_days: 1 });
    assert.equal((await server.request('GET', '/api/tokens/', { token: toExpire.token })).status, 200);
    const db = new Database(path.join(server.dataDir, 'pulse.db'));
    db.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, toExpire.id);
    db.close();
    const expired = await server.request('GET', '/api/tokens/', { token: toExpire.token });
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.json, UNAUTHORIZED);
    const listed = (await server.request('GET', '/api/tokens/', { token: admin })).json.tokens.find(
      (item: { id: number }) => item.id === toExpire.id,
    );
    assert.equal(listed.expired, true);
  });

  it('rotates a token: same id, new secret, the old secret refused at once', async () => {
    const { json: original } = await create({ name: 'rotating', type: 'admin' });
    const rotated = await server.request('POST', `/api/tokens/${original.id}/rotate`, { token: admin });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.json.id, original.id);
    assert.notEqual(rotated.json.token, original.token);
    assert.equal((await server.request('GET', '/api/tokens/', { token: original.token })).status, 401);
    assert.equal((await server.request('GET', '/api/tokens/', { token: rotated.json.token })).status, 200);
    assert.equal((await server.request('POST', '/api/tokens/999999/rotate', { token: admin })).status, 404);
  });

  it('validates the body and names the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', type: 'root' }, /^type: must be one of admin, agent, poller, ingest$/],
      [{ type: 'agent' }, /^name: must be a string$/],
      [{ name: '   ', type: 'agent' }, /^name: must not be blank$/],
      [{ name: 'x'.repeat(101), type: 'agent' }, /^name: must be 1 to 100 characters$/],
      [{ name: 'x', type: 'agent', expires_in_days: '30' }, /^expires_in_days: must be a whole number of days$/],
      [{ name: 'x', type: 'agent', expires_in_days: 0 }, /^expires_in_days: must be at least 1$/],
      [{ name: 'x', type: 'agent', scope: 'all' }, /^scope: unknown field$/],
      [[{ name: 'x', type: 'agent' }], /^Send a JSON object like/],
    ];
    for (const [json, message] of cases) {
      const response = await create(json);
      assert.equal(response.status, 400, JSON.stringify(json));
      assert.match(response.json.message, message, JSON.stringify(json));
    }
    const badId = await server.request('DELETE', '/api/tokens/first', { token: admin });
    assert.equal(badId.status, 400);
    assert.deepEqual(badId.json, {
      error: 'validation_failed',
      message: 'id: must be a positive whole number, not "first"',
      fields: { id: 'must be a positive whole number, not "first"' },
    });
    const twoBad = await create({ name: '   ', type: 'root', scope: 'all' });
    assert.deepEqual(twoBad.json.fields, {
      name: 'must not be blank',
      type: 'must be one of admin, agent, poller, ingest',
      scope: 'unknown field',
    });
    const missingId = await server.request('DELETE', '/api/tokens/424242', { token: admin });
    assert.equal(missingId.status, 404);
    assert.equal(missingId.json.error, 'not_found');
  });
});

describe('failed token checks are rate limited per address', () => {
  it('answers 429 with Retry-After to further failing attempts once an address has failed too often, and still serves valid tokens from it', async () => {
    const server = await PulseServer.start({ config: '[http]\nauth_failures_per_minute = 5\n[heartbeat]\nrequire_token = true\n' });
    try {
      const admin = server.adminToken!;
      const ingest = (await server.request('POST', '/api/tokens/', { token: admin, json: { name: 'beats', type: 'ingest' } })).json.token;
      const bad = 'sw_admin_' + 'f'.repeat(64);
      for (let attempt = 1; attempt <= 5; attempt++) {
        assert.equal((await server.request('GET', '/api/tokens/', { token: bad })).status, 401, `attempt ${attempt}`);
      }
      const limited = await server.request('GET', '/api/tokens/', { token: bad });
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error, 'too_many_failures');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal((await server.request('POST', '/api/services/limited.beat', { token: 'sw_ingest_' + '0'.repeat(64) })).status, 429);

      assert.equal(
        (await server.request('GET', '/api/tokens/', { token: admin })).status,
        200,
        'the admin from the same address is served',
      );
      assert.equal((await server.request('POST', '/api/services/nat.job', { token: ingest })).status, 200, 'and so are its beats');
      assert.equal((await server.request('GET', '/api/tokens/', { token: bad })).status, 429, 'the failing token still is not');
      assert.equal((await server.request('GET', '/healthz')).status, 200, 'public routes stay open');
      assert.match(server.process.stderr, /rejected unknown token from 127\.0\.0\.1 for GET \/api\/tokens\//);
      const metrics = await server.request('GET', '/metrics', { token: admin });
      assert.match(metrics.text, /^pulse_auth_failures_total\{reason="unknown"\} 8$/m, 'every failing attempt counted, limited ones too');
    } finally {
      await server.dispose();
    }
  });
});
