import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { NetworkPolicy, validatePluginConfig } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { ALL_EVENTS, hostile, monitorDown } from '../../../test/fixtures/alert-events.js';
import { SmtpSink } from '../../../test/peers/smtp-sink.js';
import { assertGolden } from '../../../test/support/golden.js';
import { rejectionOf } from '../../../test/support/plugin-errors.js';
import { MailAlerter } from './mail.alerter.js';
import { MailConfig } from './mail.config.js';
import { skipUnlessInstalled } from '../../../test/support/debian-peers.js';

const alerter = new MailAlerter();
const logger = { debug() {}, info() {}, warn() {} };
const context = (timeoutMs = 5000, network?: NetworkPolicy) => createPluginContext({ timeoutMs, logger, network });
function config(values: Partial<MailConfig>): MailConfig {
  const result = validatePluginConfig(MailConfig, { to: 'ops@example.com', from: 'pulse@example.com', ...values });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.value;
}

describe('mail alerter: render', () => {
  it('renders every kind of event as the golden files say', () => {
    for (const [name, event] of Object.entries(ALL_EVENTS)) {
      const message = alerter.render(event, config({ to: 'ops@example.com, oncall@example.com' }));
      assertGolden(
        `plugins/alerters/mail/golden/${name}.txt`,
        `From: ${message.from}\nTo: ${message.to.join(', ')}\nSubject: ${message.subject}\n\n${message.text}`,
      );
    }
  });

  it('uses the subjects SPEC §7 promises', () => {
    assert.equal(alerter.render(ALL_EVENTS.monitorDown, config({})).subject, '[PULSE] shop.example.com is DOWN');
    assert.equal(alerter.render(ALL_EVENTS.monitorRecovered, config({})).subject, '[PULSE] shop.example.com has recovered');
  });

  it('never lets CR or LF from a name reach the subject', () => {
    const { subject } = alerter.render(hostile, config({}));
    assert.doesNotMatch(subject, /[\r\n]/);
    assert.match(subject, /^\[PULSE\] evil Bcc: victim@example\.com/);
  });
});

describe('mail alerter: SMTP through smtp-sink', { skip: skipUnlessInstalled('smtp-sink') }, () => {
  let sink: SmtpSink;
  before(async () => {
    sink = await SmtpSink.start();
  });
  after(() => sink.stop());

  it('delivers the rendered message', async () => {
    const settings = config({ server: `127.0.0.1:${sink.port}`, to: 'ops@example.com, oncall@example.com' });
    await alerter.send(alerter.render(monitorDown, settings), settings, context());
    const [dump] = await sink.waitForMessages(1);
    assert.match(dump!, /^X-Rcpt-Args: <ops@example\.com>$/m);
    assert.match(dump!, /^X-Rcpt-Args: <oncall@example\.com>$/m);
    assert.match(dump!, /^Subject: \[PULSE\] shop\.example\.com is DOWN$/m);
    assert.match(dump!, /Reason: HTTP 503/);
  });

  it('keeps a hostile name inside the subject: no injected Bcc header', async () => {
    const settings = config({ server: `127.0.0.1:${sink.port}` });
    const before = sink.messages().length;
    await alerter.send(alerter.render(hostile, settings), settings, context());
    const dump = (await sink.waitForMessages(before + 1)).at(-1)!;
    assert.doesNotMatch(dump, /^Bcc:/m);
    assert.doesNotMatch(dump, /^X-Rcpt-Args: <victim@example\.com>$/m);
  });

  it('reports a 4xx answer as temporary and a 5xx answer as permanent', async () => {
    const soft = await SmtpSink.start({ softReject: ['RCPT'] });
    const hard = await SmtpSink.start({ hardReject: ['RCPT'] });
    try {
      const softError = await rejectionOf(
        alerter.send(alerter.render(monitorDown, config({})), config({ server: `127.0.0.1:${soft.port}` }), context()),
      );
      assert.equal(softError.temporary, true);
      assert.match(softError.message, /answered 450/);
      const hardError = await rejectionOf(
        alerter.send(alerter.render(monitorDown, config({})), config({ server: `127.0.0.1:${hard.port}` }), context()),
      );
      assert.equal(hardError.temporary, false);
      assert.match(hardError.message, /answered 500/);
    } finally {
      await soft.stop();
      await hard.stop();
    }
  });

  it('reports a relay that is not listening as temporary', async () => {
    const closed = await SmtpSink.start();
    const port = closed.port;
    await closed.stop();
    const error = await rejectionOf(
      alerter.send(alerter.render(monitorDown, config({})), config({ server: `127.0.0.1:${port}` }), context()),
    );
    assert.equal(error.temporary, true);
  });

  it('reaches a relay by name through the network policy, and refuses a denied one before connecting', async () => {
    const byName = config({ server: `localhost:${sink.port}` });
    const before = sink.messages().length;
    await alerter.send(alerter.render(monitorDown, byName), byName, context(5000, new NetworkPolicy({ deny: ['127.0.0.2'] })));
    await sink.waitForMessages(before + 1);
    const denied = new NetworkPolicy({ deny: ['127.0.0.0/8', '::1'] });
    for (const server of [`localhost:${sink.port}`, `127.0.0.1:${sink.port}`, `[::ffff:127.0.0.1]:${sink.port}`]) {
      const error = await rejectionOf(alerter.send(alerter.render(monitorDown, byName), config({ server }), context(5000, denied)));
      assert.equal(error.temporary, false, server);
      assert.match(error.message, /^SMTP relay \S+ refused: (localhost resolves to )?(::ffff:)?(127\.0\.0\.1|::1) is listed in \[alerting\] deny_networks/, server);
    }
    assert.equal(sink.messages().length, before + 1, 'nothing reached the denied relay');
  });

  it('refuses to send in clear text when STARTTLS is required but not offered', async () => {
    const before = sink.messages().length;
    const error = await rejectionOf(
      alerter.send(alerter.render(monitorDown, config({})), config({ server: `127.0.0.1:${sink.port}`, starttls: 'always' }), context()),
    );
    assert.equal(error.temporary, false);
    assert.match(error.message, /answered 500 .* to STARTTLS$/);
    assert.equal(sink.messages().length, before, 'nothing more was delivered');
  });
});

describe('mail alerter: STARTTLS and AUTH against a TLS-capable SMTP server', () => {
  let dir: string;
  let server: SMTPServer;
  let port: number;
  const received: { user?: string; secure: boolean; body: string }[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-smtp-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = new SMTPServer({
      key: readFileSync(path.join(dir, 'key.pem')),
      cert: readFileSync(path.join(dir, 'cert.pem')),
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: false,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'pulse' && auth.password === 's3cret') callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData(stream, session, callback) {
        let body = '';
        stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
        stream.on('end', () => {
          received.push({ user: session.user as string | undefined, secure: session.secure, body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks TLS from the first byte (tls = true) on the connection Pulse opens', async () => {
    const implicit = new SMTPServer({
      secure: true,
      key: readFileSync(path.join(dir, 'key.pem')),
      cert: readFileSync(path.join(dir, 'cert.pem')),
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push({ secure: session.secure, body: '' });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => implicit.listen(0, '127.0.0.1', resolve));
    try {
      const settings = config({ server: `localhost:${(implicit.server.address() as AddressInfo).port}`, tls: true, ignore_tls_errors: true });
      const before = received.length;
      await alerter.send(alerter.render(monitorDown, settings), settings, context());
      assert.equal(received.length, before + 1);
      assert.equal(received.at(-1)!.secure, true);
    } finally {
      await new Promise<void>((resolve) => implicit.close(() => resolve()));
    }
  });

  it('upgrades with STARTTLS and authenticates', async () => {
    const settings = config({
      server: `127.0.0.1:${port}`,
      starttls: 'always',
      username: 'pulse',
      password: 's3cret',
      ignore_tls_errors: true,
    });
    await alerter.send(alerter.render(monitorDown, settings), settings, context());
    const last = received.at(-1)!;
    assert.equal(last.secure, true, 'the session was upgraded to TLS');
    assert.equal(last.user, 'pulse');
    assert.match(last.body, /Subject: \[PULSE\] shop\.example\.com is DOWN/);
  });

  it('refuses an untrusted certificate unless told to ignore TLS errors', async () => {
    const error = await rejectionOf(
      alerter.send(
        alerter.render(monitorDown, config({})),
        config({ server: `127.0.0.1:${port}`, starttls: 'always', username: 'pulse', password: 's3cret' }),
        context(),
      ),
    );
    assert.equal(error.temporary, false);
    assert.match(error.message, /certificate/i);
  });

  it('reports wrong credentials as permanent', async () => {
    const error = await rejectionOf(
      alerter.send(
        alerter.render(monitorDown, config({})),
        config({ server: `127.0.0.1:${port}`, username: 'pulse', password: 'wrong', ignore_tls_errors: true }),
        context(),
      ),
    );
    assert.equal(error.temporary, false);
    assert.match(error.message, /535/);
  });
});

describe('mail alerter: Mailgun API', () => {
  let server: http.Server;
  let url: string;
  let answer = 200;
  const requests: { path: string; authorization?: string; form: URLSearchParams }[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ path: request.url ?? '', authorization: request.headers.authorization, form: new URLSearchParams(body) });
        response
          .writeHead(answer, { 'content-type': 'application/json' })
          .end(answer === 200 ? '{"id":"<x@mg>","message":"Queued. Thank you."}' : '{"message":"nope"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const mailgun = () =>
    config({
      mailgun_domain: 'mg.example.com',
      mailgun_api_key: 'key-123',
      mailgun_url: url,
      from: 'pulse@mg.example.com',
      to: 'ops@example.com, oncall@example.com',
    });

  it('posts the message to /v3/<domain>/messages with the API key', async () => {
    answer = 200;
    await alerter.send(alerter.render(monitorDown, mailgun()), mailgun(), context());
    const request = requests.at(-1)!;
    assert.equal(request.path, '/v3/mg.example.com/messages');
    assert.equal(request.authorization, `Basic ${Buffer.from('api:key-123').toString('base64')}`);
    assert.deepEqual(request.form.getAll('to'), ['ops@example.com', 'oncall@example.com']);
    assert.equal(request.form.get('subject'), '[PULSE] shop.example.com is DOWN');
    assert.equal(request.form.get('from'), 'pulse@mg.example.com');
  });

  it('treats 5xx as temporary and 401 as permanent', async () => {
    answer = 503;
    assert.equal((await rejectionOf(alerter.send(alerter.render(monitorDown, mailgun()), mailgun(), context()))).temporary, true);
    answer = 401;
    const error = await rejectionOf(alerter.send(alerter.render(monitorDown, mailgun()), mailgun(), context()));
    assert.equal(error.temporary, false);
    assert.match(error.message, /HTTP 401/);
  });
});
