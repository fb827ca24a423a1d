import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { validatePluginConfig } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { CertificateFactory } from '../../../test/peers/certificates.js';
import { freePort } from '../../../test/support/ports.js';
import { HttpCheck } from './http.check.js';
import { HttpConfig } from './http.config.js';

const logger = { debug() {}, info() {}, warn() {} };
const check = new HttpCheck();

function config(options: Record<string, unknown> = {}): HttpConfig {
  const validated = validatePluginConfig(HttpConfig, options);
  assert.ok(validated.ok, JSON.stringify(validated));
  return validated.value;
}
const run = (url: string, options: Record<string, unknown> = {}, timeoutMs = 3000) =>
  check.run(url, config(options), createPluginContext({ timeoutMs, logger }));

/** A small web site with the answers a monitored service gives. */
function handler(request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://x');
  const [, route, arg] = url.pathname.split('/');
  switch (route) {
    case 'ok':
      response.end('<h1>Welcome to the shop</h1>');
      return;
    case 'status':
      response.writeHead(Number(arg)).end(`status ${arg}`);
      return;
    case 'redirect': {
      const left = Number(arg);
      response.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}` : '/ok' }).end();
      return;
    }
    case 'see-other':
      response.writeHead(303, { location: '/method' }).end();
      return;
    case 'keep-method':
      response.writeHead(307, { location: '/method' }).end();
      return;
    case 'method': {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => response.end(`${request.method} ${body} ${request.headers['x-probe'] ?? ''}`));
      return;
    }
    case 'slow':
      setTimeout(() => response.end('late'), Number(arg)).unref();
      return;
    case 'big':
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('x'.repeat(1024 * 1024));
      response.end('needle-after-the-first-MiB');
      return;
    case 'hang':
      return; // never answers
    default:
      response.writeHead(404).end('not here');
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('http check', () => {
  const server = http.createServer(handler);
  const certificates = new CertificateFactory();
  let secure: https.Server;
  let base: string;
  let secureBase: string;

  before(async () => {
    base = `http://127.0.0.1:${await listen(server)}`;
    const selfSigned = certificates.issue({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
    secure = https.createServer({ cert: selfSigned.certPem, key: selfSigned.keyPem }, handler);
    secureBase = `https://127.0.0.1:${await listen(secure)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    secure.closeAllConnections();
    secure.close();
    certificates.dispose();
  });

  it('is up with "HTTP 200" and the full request time as latency', async () => {
    const result = await run(`${base}/ok`);
    assert.equal(result.status, 'up');
    assert.equal(result.message, 'HTTP 200');
    assert.ok(typeof result.latencyMs === 'number' && result.latencyMs > 0);
    assert.equal(result.details?.status_code, 200);
  });

  it('is down with the status code when the code is not accepted, and up when it is', async () => {
    assert.deepEqual(pick(await run(`${base}/status/503`)), { status: 'down', message: 'HTTP 503' });
    assert.deepEqual(pick(await run(`${base}/status/404`)), { status: 'down', message: 'HTTP 404' });
    assert.deepEqual(pick(await run(`${base}/status/404`, { accepted_codes: ['200-299', '404'] })), { status: 'up', message: 'HTTP 404' });
    assert.deepEqual(pick(await run(`${base}/ok`, { accepted_codes: ['500-599'] })), { status: 'down', message: 'HTTP 200' });
  });

  it('checks a keyword that must appear or must not appear', async () => {
    assert.equal((await run(`${base}/ok`, { keyword: 'Welcome' })).status, 'up');
    assert.deepEqual(pick(await run(`${base}/ok`, { keyword: 'Goodbye' })), {
      status: 'down',
      message: 'HTTP 200, keyword "Goodbye" not found',
    });
    assert.deepEqual(pick(await run(`${base}/ok`, { keyword_absent: 'shop' })), {
      status: 'down',
      message: 'HTTP 200, keyword "shop" found',
    });
    assert.equal((await run(`${base}/ok`, { keyword_absent: 'error' })).status, 'up');
  });

  it('reads at most 1 MiB of the body', async () => {
    const result = await run(`${base}/big`, { keyword: 'needle-after-the-first-MiB' });
    assert.equal(result.status, 'down', 'text beyond the first MiB is not seen');
    assert.equal(result.details?.body_bytes, 1024 * 1024);
    assert.equal(result.details?.body_truncated, true);
  });

  it('follows redirects up to the limit, or judges the redirect itself when told not to', async () => {
    const followed = await run(`${base}/redirect/3`, { keyword: 'Welcome' });
    assert.equal(followed.status, 'up');
    assert.equal(followed.details?.redirects, 3);
    assert.equal(followed.details?.url, `${base}/ok`);
    assert.deepEqual(pick(await run(`${base}/redirect/11`)), { status: 'down', message: 'too many redirects (more than 10)' });
    assert.deepEqual(pick(await run(`${base}/redirect/3`, { max_redirects: 2 })), {
      status: 'down',
      message: 'too many redirects (more than 2)',
    });
    assert.deepEqual(pick(await run(`${base}/redirect/1`, { follow_redirects: false })), { status: 'up', message: 'HTTP 302' });
    assert.deepEqual(pick(await run(`${base}/redirect/1`, { follow_redirects: false, accepted_codes: ['200'] })), {
      status: 'down',
      message: 'HTTP 302',
    });
  });

  it('sends method, headers and body; 303 continues as GET, 307 repeats the request', async () => {
    const options = { method: 'POST', body: 'payload', headers: { 'X-Probe': 'yes' } };
    assert.equal((await run(`${base}/method`, { ...options, keyword: 'POST payload yes' })).status, 'up');
    assert.equal((await run(`${base}/see-other`, { ...options, keyword: 'GET  yes' })).status, 'up');
    assert.equal((await run(`${base}/keep-method`, { ...options, keyword: 'POST payload yes' })).status, 'up');
  });

  it('is a warning when slower than max_latency_ms', async () => {
    const result = await run(`${base}/slow/400`, { max_latency_ms: 100 });
    assert.equal(result.status, 'warning');
    assert.match(result.message, /^HTTP 200, slow: \d+ ms \(limit 100 ms\)$/);
  });

  it('is down with "connection refused" when nothing listens, and names the timeout when nothing answers', async () => {
    const closed = await freePort();
    assert.deepEqual(
      { ...pick(await run(`http://127.0.0.1:${closed}/`)), latencyMs: null },
      { status: 'down', message: 'connection refused', latencyMs: null },
    );
    assert.deepEqual(pick(await run(`${base}/hang`, {}, 300)), { status: 'down', message: 'no answer within 300 ms' });
  });

  it('refuses an untrusted certificate unless ignore_tls_errors is set', async () => {
    assert.deepEqual(pick(await run(`${secureBase}/ok`)), { status: 'down', message: 'TLS: self-signed certificate' });
    assert.deepEqual(pick(await run(`${secureBase}/ok`, { ignore_tls_errors: true, keyword: 'Welcome' })), {
      status: 'up',
      message: 'HTTP 200',
    });
  });

  it('checks targets and options before running', () => {
    assert.equal(check.validateTarget('https://www.example.com/health'), null);
    assert.equal(check.validateTarget('http://[::1]:8080/'), null);
    for (const bad of ['', 'www.example.com', 'ftp://example.com/', 'http://', 'not a url']) {
      assert.match(check.validateTarget(bad) ?? '', /must be an http:\/\/ or https:\/\/ URL/, bad);
    }
    const refused = validatePluginConfig(HttpConfig, {
      method: 'FETCH',
      accepted_codes: ['2xx'],
      headers: { 'Bad Name': 'x' },
      max_redirects: 11,
    });
    assert.ok(!refused.ok);
    assert.deepEqual(refused.errors.map((error) => error.field).sort(), ['accepted_codes', 'headers', 'max_redirects', 'method']);
  });
});

function pick(result: { status: string; message: string }) {
  return { status: result.status, message: result.message };
}
