import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';

describe('HTTP errors, health and metrics (SPEC §10)', () => {
  let server: PulseServer;
  let admin: string;

  before(async () => {
    server = await PulseServer.start({ config: '[http]\nmax_body_bytes = 4096\n' });
    admin = server.adminToken!;
  });
  after(() => server.dispose());

  function assertApiError(response: { status: number; json: any; text: string }, status: number, error: string) {
    assert.equal(response.status, status, response.text);
    assert.deepEqual(Object.keys(response.json).sort(), ['error', 'message']);
    assert.equal(response.json.error, error);
    assert.doesNotMatch(response.text, /\s+at\s+\S+\s+\(|node_modules|\.js:\d+/, 'no stack trace');
  }

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await server.request('POST', '/api/tokens/', {
      token: admin,
      body: '{"name": "x", "type":',
      headers: { 'content-type': 'application/json' },
    });
    assertApiError(response, 400, 'invalid_json');
  });

  it('answers a missing or non-object body with 400 saying what to send', async () => {
    assertApiError(await server.request('POST', '/api/tokens/', { token: admin }), 400, 'invalid_body');
    const text = await server.request('POST', '/api/tokens/', { token: admin, body: 'name=x', headers: { 'content-type': 'text/plain' } });
    assert.ok(text.status === 400 || text.status === 415, `got ${text.status}`);
    assert.ok(['invalid_body', 'unsupported_media_type'].includes(text.json.error));
  });

  it('answers an oversized body with 413', async () => {
    const response = await server.request('POST', '/api/tokens/', { token: admin, json: { name: 'x'.repeat(8000), type: 'agent' } });
    assertApiError(response, 413, 'payload_too_large');
  });

  it('answers an unknown API route with 404 JSON, with or without a token', async () => {
    assertApiError(await server.request('GET', '/api/nothing-here', { token: admin }), 404, 'not_found');
    const anonymous = await server.request('DELETE', '/api/nothing/here');
    assertApiError(anonymous, 404, 'not_found');
    assert.equal(anonymous.json.message, 'No route DELETE /api/nothing/here. See the API overview in the README.');
  });

  it('serves /healthz and /readyz without a token', async () => {
    const health = await server.request('GET', '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.json.status, 'ok');
    const ready = await server.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json, { status: 'ready', checks: { database: 'ok', statsd_udp: 'ok', statsd_tcp: 'ok' } });
  });

  it('serves /metrics to admins only by default, in Prometheus text', async () => {
    assert.equal((await server.request('GET', '/metrics')).status, 401);
    await server.request('GET', '/api/tokens/', { token: 'sw_admin_' + '1'.repeat(64) });
    const metrics = await server.request('GET', '/metrics', { token: admin });
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(metrics.text, /^pulse_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
    assert.match(metrics.text, /^pulse_auth_failures_total\{reason="unknown"\} [1-9]\d*$/m);
    assert.match(metrics.text, /^pulse_process_resident_memory_bytes \d+/m);
  });
});

describe('public metrics', () => {
  it('opens /metrics without a token when [http] public_metrics = true', async () => {
    const server = await PulseServer.start({ config: '[http]\npublic_metrics = true\n' });
    try {
      const metrics = await server.request('GET', '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /pulse_build_info/);
    } finally {
      await server.dispose();
    }
  });
});
