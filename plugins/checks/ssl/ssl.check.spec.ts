import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { validatePluginConfig } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { CertificateFactory, daysFromNow, type IssuedCertificate } from '../../../test/peers/certificates.js';
import { OpensslServer } from '../../../test/peers/openssl-server.js';
import { freePort } from '../../../test/support/ports.js';
import { SslCheck } from './ssl.check.js';
import { SslConfig } from './ssl.config.js';
import { skipUnlessInstalled } from '../../../test/support/debian-peers.js';

const logger = { debug() {}, info() {}, warn() {} };
const check = new SslCheck();
const HOST_NAMES = ['localhost', '127.0.0.1'];

describe('ssl check against openssl s_server', { skip: skipUnlessInstalled('openssl') }, () => {
  const certificates = new CertificateFactory();
  const servers: OpensslServer[] = [];
  let ca: IssuedCertificate;

  const serve = async (certificate: IssuedCertificate) => {
    const server = await OpensslServer.start(certificate);
    servers.push(server);
    return server.port;
  };
  const run = (target: string, options: Record<string, unknown> = {}, timeoutMs = 5000) => {
    const validated = validatePluginConfig(SslConfig, { ca_certificates: ca.certPem, ...options });
    assert.ok(validated.ok, JSON.stringify(validated));
    return check.run(target, validated.value, createPluginContext({ timeoutMs, logger }));
  };
  const signed = (notAfter: Date, extra: Partial<Parameters<CertificateFactory['issue']>[0]> = {}) =>
    certificates.issue({ commonName: 'localhost', altNames: HOST_NAMES, notAfter, issuer: ca, ...extra });

  before(() => {
    ca = certificates.certificateAuthority();
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    certificates.dispose();
  });

  it('is up with the certificate details when chain, name and dates are good', async () => {
    const port = await serve(signed(daysFromNow(90)));
    const result = await run(`localhost:${port}`);
    assert.equal(result.status, 'up');
    assert.match(result.message, /^certificate valid for (89|90) days \(until \d{4}-\d\d-\d\d\)$/);
    const details = result.details!;
    assert.equal(details.subject, 'CN=localhost, O=Pulse tests');
    assert.equal(details.issuer, 'CN=Pulse Test CA, O=Pulse tests');
    assert.deepEqual(details.sans, HOST_NAMES);
    assert.ok(details.days_left === 89 || details.days_left === 90);
    assert.match(String(details.fingerprint), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(details.authorized, true);
    assert.equal((await run(`127.0.0.1:${port}`)).status, 'up', 'an IP target is checked against the IP SAN');
  });

  it('is a warning with the date when the certificate expires within warn_days', async () => {
    const notAfter = new Date(Date.now() + 5 * 86_400_000 + 3_600_000);
    const port = await serve(signed(notAfter));
    const result = await run(`localhost:${port}`);
    assert.deepEqual(
      { status: result.status, message: result.message },
      { status: 'warning', message: `certificate expires in 5 days (${notAfter.toISOString().slice(0, 10)})` },
    );
    assert.equal((await run(`localhost:${port}`, { warn_days: 3 })).status, 'up');
  });

  it('is down when expired or not yet valid', async () => {
    const expiredOn = daysFromNow(-3);
    const expired = await serve(signed(expiredOn, { notBefore: daysFromNow(-30) }));
    assert.deepEqual(pick(await run(`localhost:${expired}`)), {
      status: 'down',
      message: `certificate expired on ${expiredOn.toISOString().slice(0, 10)} (3 days ago)`,
    });
    const startsOn = daysFromNow(8);
    const early = await serve(signed(daysFromNow(100), { notBefore: startsOn }));
    assert.deepEqual(pick(await run(`localhost:${early}`)), {
      status: 'down',
      message: `certificate not valid before ${startsOn.toISOString().slice(0, 10)} (in 8 days)`,
    });
  });

  it('is down when the certificate is for another host', async () => {
    const port = await serve(signed(daysFromNow(90), { commonName: 'shop.example.test', altNames: ['shop.example.test'] }));
    assert.deepEqual(pick(await run(`localhost:${port}`)), {
      status: 'down',
      message: 'certificate is for shop.example.test, not localhost',
    });
    assert.equal(
      (await run(`127.0.0.1:${port}`, { server_name: 'shop.example.test' })).status,
      'up',
      'server_name sets SNI and the expected name',
    );
  });

  it('is down for a self-signed certificate unless allow_self_signed', async () => {
    const port = await serve(certificates.issue({ commonName: 'localhost', altNames: HOST_NAMES, notAfter: daysFromNow(60) }));
    assert.deepEqual(pick(await run(`localhost:${port}`, { ca_certificates: '' })), {
      status: 'down',
      message: 'untrusted certificate: self-signed certificate',
    });
    const allowed = await run(`localhost:${port}`, { ca_certificates: '', allow_self_signed: true });
    assert.equal(allowed.status, 'up');
    assert.equal(allowed.details?.authorized, false);
  });

  it('reads ECDSA certificates too', async () => {
    const key = path.join(certificates.dir, 'ec.key');
    const cert = path.join(certificates.dir, 'ec.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '30',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    const port = await serve({ certFile: cert, keyFile: key, certPem: '', keyPem: '' });
    const result = await run(`localhost:${port}`, { ca_certificates: '', allow_self_signed: true });
    assert.equal(result.status, 'up');
    assert.equal(result.details?.subject, 'CN=localhost');
    assert.deepEqual(result.details?.sans, ['localhost']);
  });

  it('is down when nothing listens or the port does not speak TLS', async () => {
    assert.deepEqual(pick(await run(`localhost:${await freePort()}`)), { status: 'down', message: 'connection refused' });
    const plain = http.createServer((_request, response) => response.end('plain'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const result = await run(`127.0.0.1:${(plain.address() as AddressInfo).port}`);
      assert.equal(result.status, 'down');
      assert.match(result.message, /^TLS: the server does not speak TLS on this port$|^connection reset$/);
    } finally {
      plain.closeAllConnections();
      plain.close();
    }
  });

  it('checks targets before running', () => {
    assert.equal(check.validateTarget('www.example.com'), null);
    assert.equal(check.validateTarget('www.example.com:8443'), null);
    for (const bad of ['', 'https://www.example.com/', 'host:0', 'a b']) assert.equal(typeof check.validateTarget(bad), 'string', bad);
  });
});

function pick(result: { status: string; message: string }) {
  return { status: result.status, message: result.message };
}
