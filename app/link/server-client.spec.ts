import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CertificateFactory, type IssuedCertificate } from '../../test/peers/certificates.js';
import { freePort } from '../../test/support/ports.js';
import { ServerClient, ServerUnreachable } from './server-client.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real server on loopback (plain or TLS) that records requests and answers as `handler` says. */
async function listen(
  tls: { cert: IssuedCertificate } | null,
  handler: (seen: Seen, response: http.ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      seen.push(entry);
      handler(entry, response);
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert.certPem, key: tls.cert.keyPem }, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const TOKEN = `sw_poller_${'ab'.repeat(32)}`;
const answerJson = (status: number, body: unknown) => (_seen: Seen, response: http.ServerResponse) =>
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));

async function unreachable(promise: Promise<unknown>): Promise<ServerUnreachable> {
  const error = await promise.then(
    () => assert.fail('the request succeeded'),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ServerUnreachable, String(error));
  return error;
}

describe('ServerClient', () => {
  const certificates = new CertificateFactory();
  let ca: IssuedCertificate;
  let serverCert: IssuedCertificate;
  before(() => {
    ca = certificates.certificateAuthority();
    serverCert = certificates.issue({ commonName: '127.0.0.1', altNames: ['127.0.0.1'], issuer: ca });
  });
  after(() => certificates.dispose());

  it('sends JSON with the bearer token below the configured path, and reads the JSON answer', async () => {
    const server = await listen(null, answerJson(200, { accepted: 2 }));
    try {
      const client = new ServerClient({ server: `${server.url}/monitoring/pulse`, token: TOKEN, userAgent: 'lillydoo-pulse-poller/1.2.3' });
      const answer = await client.request('POST', '/api/poller/results', { json: { results: [1, 2] } });
      client.close();
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, { accepted: 2 });
      const [request] = server.seen;
      assert.equal(request!.url, '/monitoring/pulse/api/poller/results');
      assert.equal(request!.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(request!.headers['user-agent'], 'lillydoo-pulse-poller/1.2.3');
      assert.equal(request!.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(request!.body), { results: [1, 2] });
    } finally {
      await server.close();
    }
  });

  it('verifies the server certificate against ca_file', async () => {
    const server = await listen({ cert: serverCert }, answerJson(200, { id: 1, name: 'FFM' }));
    try {
      const client = new ServerClient({ server: server.url, token: TOKEN, userAgent: 'test', caFile: ca.certFile });
      assert.deepEqual((await client.request('GET', '/api/poller/whoami')).json, { id: 1, name: 'FFM' });
      client.close();
    } finally {
      await server.close();
    }
  });

  it('refuses a certificate the system CAs do not trust, saying to set ca_file; never sends the token', async () => {
    const server = await listen({ cert: serverCert }, answerJson(200, {}));
    try {
      const client = new ServerClient({ server: server.url, token: TOKEN, userAgent: 'test' });
      const error = await unreachable(client.request('GET', '/api/poller/whoami'));
      client.close();
      assert.equal(error.tls, true);
      assert.match(error.message, /^TLS: .*; set ca_file to the PEM file of the CA that signed the server certificate$/);
      assert.equal(server.seen.length, 0);
    } finally {
      await server.close();
    }
  });

  it('refuses a certificate for another name even when the CA is trusted', async () => {
    const other = certificates.issue({ commonName: 'pulse.example.com', altNames: ['pulse.example.com'], issuer: ca });
    const server = await listen({ cert: other }, answerJson(200, {}));
    try {
      const client = new ServerClient({ server: server.url, token: TOKEN, userAgent: 'test', caFile: ca.certFile });
      const error = await unreachable(client.request('GET', '/api/poller/whoami'));
      client.close();
      assert.match(error.message, /^TLS: certificate is not valid for this host name/);
    } finally {
      await server.close();
    }
  });

  it('with insecure_skip_verify talks to an untrusted certificate', async () => {
    const server = await listen({ cert: serverCert }, answerJson(200, { id: null, name: 'x' }));
    try {
      const client = new ServerClient({ server: server.url, token: TOKEN, userAgent: 'test', insecureSkipVerify: true });
      assert.equal((await client.request('GET', '/api/poller/whoami')).status, 200);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('never falls back to plain HTTP: an https URL at a plain server fails and no request is made', async () => {
    const plain = await listen(null, answerJson(200, {}));
    try {
      const client = new ServerClient({ server: plain.url.replace('http:', 'https:'), token: TOKEN, userAgent: 'test' });
      const error = await unreachable(client.request('POST', '/api/poller/results', { json: { results: [] } }));
      client.close();
      assert.match(error.message, /^TLS: /);
      assert.equal(plain.seen.length, 0, 'no HTTP request, so no token in the clear');
    } finally {
      await plain.close();
    }
  });

  it('does not follow a redirect: the answer is given back as it is', async () => {
    const target = await listen(null, answerJson(200, {}));
    const redirecting = await listen(null, (_seen, response) =>
      response.writeHead(301, { location: `${target.url}/api/poller/tasks` }).end(),
    );
    try {
      const client = new ServerClient({ server: redirecting.url, token: TOKEN, userAgent: 'test' });
      const answer = await client.request('GET', '/api/poller/tasks');
      client.close();
      assert.equal(answer.status, 301);
      assert.equal(target.seen.length, 0, 'the token went nowhere else');
    } finally {
      await target.close();
      await redirecting.close();
    }
  });

  it('says "connection refused" when nothing listens, and gives up after the timeout when nothing answers', async () => {
    const port = await freePort();
    const client = new ServerClient({ server: `http://127.0.0.1:${port}/`, token: TOKEN, userAgent: 'test' });
    const refused = await unreachable(client.request('GET', '/api/poller/tasks'));
    assert.equal(refused.message, 'connection refused');
    const silent = await listen(null, () => undefined);
    try {
      const waiting = new ServerClient({ server: silent.url, token: TOKEN, userAgent: 'test', timeoutMs: 300 });
      const timedOut = await unreachable(waiting.request('GET', '/api/poller/tasks'));
      waiting.close();
      assert.equal(timedOut.code, 'timeout');
      assert.equal(timedOut.message, 'no answer within 300 ms');
    } finally {
      await silent.close();
    }
    client.close();
  });

  it('an abandoned request (shutting down) rejects at once', async () => {
    const silent = await listen(null, () => undefined);
    try {
      const client = new ServerClient({ server: silent.url, token: TOKEN, userAgent: 'test' });
      const controller = new AbortController();
      const pending = client.request('GET', '/api/poller/tasks', { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      assert.equal((await unreachable(pending)).code, 'aborted');
      client.close();
    } finally {
      await silent.close();
    }
  });
});
