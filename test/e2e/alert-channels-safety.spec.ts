import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { SmtpSink } from '../peers/smtp-sink.js';
import { waitUntil } from '../support/wait.js';

const bodies = (receiver: HttpReceiver) => receiver.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);

function storedSettings(server: PulseServer, name: string): Record<string, unknown> {
  const database = new Database(path.join(server.dataDir, 'pulse.db'), { readonly: true });
  try {
    const row = database.prepare('SELECT settings FROM alert_channels WHERE name = ?').get(name) as { settings: string };
    return JSON.parse(row.settings) as Record<string, unknown>;
  } finally {
    database.close();
  }
}

describe('deleting an alert channel cancels what is queued for it (SPEC §7)', () => {
  let flaky: HttpReceiver;
  let replacement: HttpReceiver;
  let server: PulseServer;
  let admin: string;

  before(async () => {
    flaky = await HttpReceiver.start();
    replacement = await HttpReceiver.start();
    server = await PulseServer.start({ config: '[[alarms]]\nname = "jobs"\npattern = "jobs.*"\nalerts = ["pager"]\n' });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    await flaky.stop();
    await replacement.stop();
  });

  const latest = async () => (await server.request('GET', '/api/alerts/deliveries?channel=pager&limit=1', { token: admin })).json.deliveries[0];

  it('cancels a pending retry, keeps it in the log with the reason, and never sends it afterwards', async () => {
    flaky.status = 503;
    const pager = { name: 'pager', type: 'webhook', settings: { url: `${flaky.url}/hook` } };
    assert.equal((await server.request('POST', '/api/alerts', { token: admin, json: pager })).status, 201);
    await server.request('POST', '/api/services/jobs.import/fail');
    await flaky.waitForRequests(1);
    const waiting = await waitUntil('the retry to be scheduled', async () => {
      const delivery = await latest();
      return delivery?.status === 'pending' && delivery.attempts === 1 ? delivery : null;
    });
    const retryAt = Date.parse(waiting.next_attempt_at as string);

    const deleted = await server.request('DELETE', '/api/alerts/pager', { token: admin });
    assert.equal(deleted.status, 200);

    // The channel is made again under the same name. Once the old retry would be due, a new alert goes
    // out: the worker takes the oldest due delivery first, so the new one arriving proves the old one is gone.
    const again = { ...pager, settings: { url: `${replacement.url}/hook` } };
    assert.equal((await server.request('POST', '/api/alerts', { token: admin, json: again })).status, 201);
    while (Date.now() < retryAt + 500) await new Promise((resolve) => setTimeout(resolve, 100));
    await server.request('POST', '/api/services/jobs.import');
    await replacement.waitForRequests(1);
    await waitUntil('the recovery to be logged as sent', async () => (await latest())?.status === 'sent');
    assert.deepEqual(
      bodies(replacement).map((body) => body.to_state),
      ['ok'],
      'only the new alert reached the channel made again; the cancelled retry never ran',
    );
    assert.equal(flaky.requests.length, 1, 'the deleted channel never heard again');

    const log = await server.request('GET', '/api/alerts/deliveries?status=cancelled', { token: admin });
    assert.equal(log.status, 200, log.text);
    const [cancelled, ...others] = log.json.deliveries;
    assert.equal(others.length, 0);
    assert.equal(cancelled.id, waiting.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.last_error, 'the alert channel "pager" was deleted');
    assert.equal(cancelled.attempts, 1);
    assert.equal(cancelled.next_attempt_at, null);
    assert.equal(cancelled.attempt_log.length, 1, 'the failed attempt stays in the log');
  });
});

describe('webhook headers are secrets (SPEC §7)', () => {
  let hook: HttpReceiver;
  let server: PulseServer;
  let admin: string;

  before(async () => {
    hook = await HttpReceiver.start();
    server = await PulseServer.start();
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    await hook.stop();
  });

  it('masks header values in every view, and an edit that sends the mask back keeps them', async () => {
    const headers = { Authorization: 'Bearer s3cret-token', 'X-Api-Key': 'k3y-in-clear' };
    const created = await server.request('POST', '/api/alerts', {
      token: admin,
      json: { name: 'hooks', type: 'webhook', settings: { url: `${hook.url}/a`, headers } },
    });
    assert.equal(created.status, 201);
    const shown = await server.request('GET', '/api/alerts/hooks', { token: admin });
    const listed = await server.request('GET', '/api/alerts', { token: admin });
    for (const response of [created, shown, listed]) {
      assert.ok(!/s3cret|k3y-in-clear/.test(response.text), response.text);
    }
    assert.deepEqual(shown.json.targets[0].settings, {
      url: `${hook.url}/a`,
      headers: { Authorization: '********', 'X-Api-Key': '********' },
    });

    // PUT what GET showed, with a new URL: the headers stay as they were.
    const edited = await server.request('PUT', '/api/alerts/hooks', {
      token: admin,
      json: { name: 'hooks', type: 'webhook', settings: { ...shown.json.targets[0].settings, url: `${hook.url}/b` } },
    });
    assert.equal(edited.status, 200);
    assert.ok(!edited.text.includes('s3cret'));
    assert.deepEqual(storedSettings(server, 'hooks'), { url: `${hook.url}/b`, headers });
    const test = await server.request('POST', '/api/alerts/hooks/test', { token: admin });
    assert.equal(test.json.deliveries[0].status, 'sent');
    assert.equal(hook.requests.at(-1)!.headers.authorization, 'Bearer s3cret-token', 'the receiver still gets the real value');

    // One header changed, one sent back masked, one left out (removed).
    await server.request('PUT', '/api/alerts/hooks', {
      token: admin,
      json: { name: 'hooks', type: 'webhook', settings: { url: `${hook.url}/b`, headers: { Authorization: 'Bearer new', 'X-Api-Key': '********' } } },
    });
    assert.deepEqual(storedSettings(server, 'hooks').headers, { Authorization: 'Bearer new', 'X-Api-Key': 'k3y-in-clear' });
    await server.request('PUT', '/api/alerts/hooks', {
      token: admin,
      json: { name: 'hooks', type: 'webhook', settings: { url: `${hook.url}/b`, headers: { Authorization: '********' } } },
    });
    assert.deepEqual(storedSettings(server, 'hooks').headers, { Authorization: 'Bearer new' });
    const removed = await server.request('DELETE', '/api/alerts/hooks', { token: admin });
    assert.equal(removed.status, 200);
    assert.ok(!removed.text.includes('Bearer new'));
  });
});

describe('script channels made through the API stay under [alerting] script_dir (SPEC §13)', () => {
  let root: string;
  let scripts: string;
  let server: PulseServer;
  let admin: string;

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'pulse-scripts-'));
    scripts = path.join(root, 'alert-scripts');
    mkdirSync(scripts);
    mkdirSync(path.join(root, 'elsewhere'));
    for (const file of [path.join(scripts, 'notify.sh'), path.join(scripts, 'later.sh'), path.join(root, 'elsewhere', 'ok.sh')]) {
      writeFileSync(file, '#!/bin/sh\nexit 0\n');
      chmodSync(file, 0o755);
    }
    writeFileSync(path.join(scripts, 'plain.txt'), 'not a program\n');
    symlinkSync('/bin/sh', path.join(scripts, 'shell'));
    server = await PulseServer.start({
      config: [
        '[alerting]',
        `script_dir = "${scripts}"`,
        // The config file may name any path.
        '[alerts.from-file]',
        `script = "${path.join(root, 'elsewhere', 'ok.sh')}"`,
      ].join('\n'),
    });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const create = (name: string, file: string) =>
    server.request('POST', '/api/alerts', { token: admin, json: { name, type: 'script', settings: { path: file } } });

  it('refuses executables outside it, also through "..", symlinks, and names what is wrong', async () => {
    const under = `must name an executable under ${scripts} \\(\\[alerting\\] script_dir\\)`;
    const cases: [string, RegExp][] = [
      ['/bin/true', new RegExp(`^settings\\.path: ${under}; /bin/true is outside it$`)],
      [`${scripts}/../elsewhere/ok.sh`, new RegExp(`^settings\\.path: ${under}; .*\\.\\./elsewhere/ok\\.sh is outside it$`)],
      [path.join(scripts, 'shell'), new RegExp(`^settings\\.path: ${under}; ${scripts}/shell leads to /.*, outside it$`)],
      [path.join(scripts, 'missing.sh'), new RegExp(`^settings\\.path: must name an existing executable under .*; ${scripts}/missing\\.sh does not exist$`)],
      [path.join(scripts, 'plain.txt'), /^settings\.path: must name an executable file; .*plain\.txt is not executable \(chmod a\+x\)$/],
      [scripts, /^settings\.path: must name an executable under .* is outside it$/],
    ];
    for (const [file, message] of cases) {
      const response = await create('bad', file);
      assert.equal(response.status, 400, file);
      assert.equal(response.json.error, 'validation_failed');
      assert.match(response.json.message, message, file);
      assert.deepEqual(Object.keys(response.json.fields), ['settings.path'], file);
    }
    assert.equal((await server.request('GET', '/api/alerts/bad', { token: admin })).status, 404, 'nothing was stored');
  });

  it('runs an executable under it, and the config file may name any path', async () => {
    assert.equal((await create('notify', path.join(scripts, 'notify.sh'))).status, 201);
    const sent = await server.request('POST', '/api/alerts/notify/test', { token: admin });
    assert.equal(sent.json.deliveries[0].status, 'sent', JSON.stringify(sent.json));
    const fromFile = await server.request('POST', '/api/alerts/from-file/test', { token: admin });
    assert.equal(fromFile.json.deliveries[0].status, 'sent', JSON.stringify(fromFile.json));
  });

  it('checks again at each send: a script swapped for a link out of the directory is not run', async () => {
    const later = path.join(scripts, 'later.sh');
    assert.equal((await create('later', later)).status, 201);
    unlinkSync(later);
    symlinkSync('/bin/true', later);
    const result = await server.request('POST', '/api/alerts/later/test', { token: admin });
    const [delivery] = result.json.deliveries;
    assert.equal(delivery.status, 'failed');
    assert.match(delivery.last_error, /^channel settings are not usable: path: must name an executable under .*later\.sh leads to \/.*, outside it$/);
  });
});

describe('[alerting] deny_networks and allow_networks (SPEC §13)', () => {
  let denied: HttpReceiver;
  let allowed: HttpReceiver;
  let smtp: SmtpSink;
  let server: PulseServer;
  let admin: string;

  before(async () => {
    denied = await HttpReceiver.start('127.0.0.2');
    allowed = await HttpReceiver.start('127.0.0.3');
    smtp = await SmtpSink.start();
    server = await PulseServer.start({
      config: ['[alerting]', 'deny_networks = ["127.0.0.0/8", "::1"]', 'allow_networks = ["127.0.0.3"]'].join('\n'),
    });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    await denied.stop();
    await allowed.stop();
    await smtp.stop();
  });

  const tryChannel = async (name: string, type: string, settings: Record<string, unknown>) => {
    const created = await server.request('POST', '/api/alerts', { token: admin, json: { name, type, settings } });
    assert.equal(created.status, 201, created.text);
    return (await server.request('POST', `/api/alerts/${name}/test`, { token: admin })).json.deliveries[0];
  };

  it('refuses targets in deny_networks as a permanent error, by address and by name, before connecting', async () => {
    const port = new URL(denied.url).port;
    const cases: [string, string, Record<string, unknown>, RegExp][] = [
      ['literal', 'webhook', { url: `${denied.url}/x` }, /^webhook 127\.0\.0\.2:\d+ refused: 127\.0\.0\.2 is listed in \[alerting\] deny_networks \(127\.0\.0\.0\/8\)/],
      ['by-name', 'webhook', { url: `http://localhost:${port}/x` }, /^webhook localhost:\d+ refused: localhost resolves to (127\.0\.0\.1|::1) is listed in \[alerting\] deny_networks/],
      ['slack', 'slack', { webhook_url: `${denied.url}/services/x` }, /^Slack refused: 127\.0\.0\.2 is listed in \[alerting\] deny_networks/],
      [
        'mailgun',
        'mail',
        { to: 'ops@example.com', mailgun_domain: 'mg.example.com', mailgun_api_key: 'key', mailgun_url: denied.url },
        /^Mailgun refused: 127\.0\.0\.2 is listed/,
      ],
      ['relay', 'mail', { to: 'ops@example.com', server: `localhost:${smtp.port}` }, /^SMTP relay localhost:\d+ refused: localhost resolves to .* deny_networks/],
    ];
    for (const [name, type, settings, message] of cases) {
      const delivery = await tryChannel(name, type, settings);
      assert.equal(delivery.status, 'failed', `${name}: ${JSON.stringify(delivery)}`);
      assert.match(delivery.last_error, message, name);
      assert.equal(delivery.attempt_log[0].temporary, false, `${name}: a refusal is not retried`);
    }
    assert.equal(denied.requests.length, 0, 'the denied receiver never got a request');
    assert.equal(smtp.messages().length, 0, 'the relay never got a message');
  });

  it('lets through what allow_networks lists, even inside a denied range', async () => {
    const delivery = await tryChannel('allowed', 'webhook', { url: `${allowed.url}/x` });
    assert.equal(delivery.status, 'sent', JSON.stringify(delivery));
    assert.equal(allowed.requests.length, 1);
  });
});

describe('[alerting] network lists are checked at start', () => {
  it('refuses a bad entry, naming the key', async () => {
    const refusal = await PulseServer.start({ config: '[alerting]\ndeny_networks = ["10.0.0.0/8", "intranet"]\n' }).then(
      async (started) => {
        await started.dispose();
        return null;
      },
      (error: Error) => error,
    );
    assert.ok(refusal, 'the server must not start');
    assert.match(refusal.message, /alerting\.deny_networks = \["10\.0\.0\.0\/8","intranet"\] \(line 2\): must be a list of IP addresses or CIDR ranges/);
  });
});
