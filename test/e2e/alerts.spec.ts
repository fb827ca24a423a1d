import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { waitUntil } from '../support/wait.js';

const bodies = (receiver: HttpReceiver) => receiver.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);

describe('alerts from heartbeat alarms (SPEC §7)', () => {
  let hook: HttpReceiver;
  let server: PulseServer;
  let admin: string;

  before(async () => {
    hook = await HttpReceiver.start();
    server = await PulseServer.start({
      config: [
        'public_url = "https://pulse.example.com/monitoring/pulse/"',
        '[[alarms]]',
        'name = "backup-jobs"',
        'pattern = "backup.*"',
        'alerts = ["to-hook"]',
        '[alerts.to-hook]',
        `webhook = "${hook.url}/lovebeat"`,
      ].join('\n'),
    });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    await hook.stop();
  });

  it("posts Lovebeat's webhook when an alarm goes to error and again when it recovers", async () => {
    await server.request('POST', '/api/services/backup.nightly');
    await server.request('POST', '/api/services/backup.nightly/fail');
    await hook.waitForRequests(1);
    const request = hook.requests[0]!;
    assert.equal(request.path, '/lovebeat');
    assert.equal(request.headers['user-agent'], 'LILLYDOO-Pulse');
    assert.equal(request.headers['x-lovebeat'], '1');
    assert.deepEqual(JSON.parse(request.body), { name: 'backup-jobs', from_state: 'ok', to_state: 'error', incident_number: 1 });

    await server.request('POST', '/api/services/backup.nightly');
    await hook.waitForRequests(2);
    assert.deepEqual(JSON.parse(hook.requests[1]!.body), { name: 'backup-jobs', from_state: 'error', to_state: 'ok', incident_number: 1 });
  });

  it('records every delivery with its attempts in the delivery log', async () => {
    const log = await server.request('GET', '/api/alerts/deliveries?channel=to-hook', { token: admin });
    assert.equal(log.status, 200);
    const [recovered, failed] = log.json.deliveries;
    assert.equal(failed.status, 'sent');
    assert.equal(failed.event.kind, 'alarm');
    assert.equal(failed.event.to_state, 'error');
    assert.equal(failed.attempt_log.length, 1);
    assert.equal(failed.attempt_log[0].ok, true);
    assert.equal(recovered.event.to_state, 'ok');
    const badQuery = await server.request('GET', '/api/alerts/deliveries?status=lost&limit=9999', { token: admin });
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.json.message, /status: must be one of pending, sending, sent, failed, held, digested, cancelled/);
  });

  it('lists config channels read-only, with their targets', async () => {
    const list = await server.request('GET', '/api/alerts', { token: admin });
    assert.deepEqual(list.json.alerts, [
      { name: 'to-hook', source: 'config', default: false, targets: [{ type: 'webhook', settings: { url: `${hook.url}/lovebeat` } }] },
    ]);
    const edit = await server.request('PUT', '/api/alerts/to-hook', {
      token: admin,
      json: { name: 'to-hook', type: 'webhook', settings: { url: 'http://127.0.0.1:1/x' } },
    });
    assert.equal(edit.status, 409);
    assert.match(edit.json.message, /defined in the configuration file/);
  });
});

describe('alert channels through the API', () => {
  let fast: HttpReceiver;
  let slow: HttpReceiver;
  let server: PulseServer;
  let admin: string;

  before(async () => {
    fast = await HttpReceiver.start();
    slow = await HttpReceiver.start();
    server = await PulseServer.start({ config: '[[alarms]]\nname = "jobs"\npattern = "jobs.*"\nalerts = ["fast", "slow"]\n' });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    await fast.stop();
    await slow.stop();
  });

  const create = (json: unknown) => server.request('POST', '/api/alerts', { token: admin, json });

  it('creates channels and refuses bad ones, naming the field', async () => {
    assert.equal((await create({ name: 'fast', type: 'webhook', settings: { url: `${fast.url}/hook` } })).status, 201);
    assert.equal((await create({ name: 'slow', type: 'webhook', settings: { url: `${slow.url}/hook` } })).status, 201);
    const cases: [unknown, number, RegExp][] = [
      [{ name: 'fast', type: 'webhook', settings: { url: `${fast.url}/x` } }, 409, /already exists/],
      [
        { name: 'x', type: 'pager', settings: {} },
        400,
        /^type: unknown alerter "pager"; installed: mail, script, slack, snmp-trap, webhook$/,
      ],
      [{ name: 'x', type: 'webhook', settings: { url: 'ftp://nope' } }, 400, /^settings\.url: must be an http:\/\/ or https:\/\/ URL$/],
      [{ name: 'x', type: 'mail', settings: { to: 'not-an-address' } }, 400, /^settings\.to: must be one or more e-mail addresses/],
      [{ name: 'x', type: 'webhook', settings: { url: 'http://h/x', verb: 'PUT' } }, 400, /^settings\.verb: unknown option$/],
      [{ name: 'bad name!', type: 'webhook', settings: { url: 'http://h/x' } }, 400, /^name: must be 1-100 letters/],
      [{ name: 'x', type: 'webhook' }, 400, /^settings: must be an object/],
    ];
    for (const [json, status, message] of cases) {
      const response = await create(json);
      assert.equal(response.status, status, JSON.stringify(json));
      assert.match(response.json.message, message, JSON.stringify(json));
    }
    const several = await create({ name: 'bad name!', type: 'webhook', settings: { url: 'ftp://nope', verb: 'PUT' } });
    assert.equal(several.status, 400);
    assert.deepEqual(several.json.fields, {
      name: 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit',
      'settings.url': 'must be an http:// or https:// URL',
      'settings.verb': 'unknown option',
    });
  });

  it('masks secrets when showing a channel', async () => {
    await create({ name: 'ops-mail', type: 'mail', settings: { to: 'ops@example.com', password: 'hunter2' } });
    const shown = await server.request('GET', '/api/alerts/ops-mail', { token: admin });
    assert.deepEqual(shown.json.targets[0].settings, { to: 'ops@example.com', password: '********' });
    assert.ok(!shown.text.includes('hunter2'));
    // Sending back what GET showed keeps the stored password; other fields change.
    const edited = await server.request('PUT', '/api/alerts/ops-mail', {
      token: admin,
      json: { name: 'ops-mail', type: 'mail', settings: { ...shown.json.targets[0].settings, to: 'oncall@example.com' } },
    });
    assert.equal(edited.status, 200);
    const stored = new Database(path.join(server.dataDir, 'pulse.db'), { readonly: true });
    const row = stored.prepare("SELECT settings FROM alert_channels WHERE name = 'ops-mail'").get() as { settings: string };
    stored.close();
    assert.deepEqual(JSON.parse(row.settings), { to: 'oncall@example.com', password: 'hunter2' });
    assert.equal((await server.request('DELETE', '/api/alerts/ops-mail', { token: admin })).status, 200);
    assert.equal((await server.request('GET', '/api/alerts/ops-mail', { token: admin })).status, 404);
  });

  it('sends a test message and reports how it went', async () => {
    const before = fast.requests.length;
    const result = await server.request('POST', '/api/alerts/fast/test', { token: admin });
    assert.equal(result.status, 200);
    assert.equal(result.json.deliveries[0].status, 'sent');
    assert.equal(fast.requests.length, before + 1);
    assert.equal(JSON.parse(fast.requests.at(-1)!.body).kind, 'test');

    fast.status = 404;
    const failing = await server.request('POST', '/api/alerts/fast/test', { token: admin });
    fast.status = 200;
    assert.equal(failing.json.deliveries[0].status, 'failed', 'a 404 is permanent: no retry');
    assert.match(failing.json.deliveries[0].last_error, /HTTP 404/);
    assert.equal(failing.json.deliveries[0].attempt_log[0].temporary, false);

    fast.status = 503;
    const retrying = await server.request('POST', '/api/alerts/fast/test', { token: admin });
    fast.status = 200;
    const delivery = retrying.json.deliveries[0];
    assert.equal(delivery.status, 'pending', 'a 503 is temporary: the answer comes after the first try, with the retry to come');
    assert.match(delivery.last_error, /HTTP 503/);
    assert.equal(delivery.attempt_log.length, 1);
    assert.equal(delivery.attempt_log[0].temporary, true);
    assert.ok(Date.parse(delivery.next_attempt_at) > Date.parse(delivery.attempt_log[0].at), 'and says when it tries again');
    // Its retry reaches the receiver (back to 200) before the next test counts requests.
    await waitUntil('the test message retried', async () => {
      const [latest] = (await server.request('GET', '/api/alerts/deliveries?channel=fast&limit=1', { token: admin })).json.deliveries;
      return latest.id === delivery.id && latest.status === 'sent';
    });
  });

  it('never lets a slow channel hold up another', async () => {
    slow.delayMs = 4000;
    const fastBefore = fast.requests.length;
    const slowBefore = slow.requests.length;
    await server.request('POST', '/api/services/jobs.import/fail');
    await waitUntil('the fast channel', async () => fast.requests.length > fastBefore);
    const slowAnswered = (await server.request('GET', '/api/alerts/deliveries?channel=slow&limit=1', { token: admin })).json.deliveries[0];
    assert.equal(slowAnswered.status, 'sending', 'the slow receiver is still busy with its copy');
    assert.ok(slow.requests.length > slowBefore, 'and it did get it at the same time');
    slow.delayMs = 0;
  });

  it('retries a temporary failure and delivers once the receiver is back', async () => {
    fast.status = 503;
    const before = fast.requests.length;
    await server.request('POST', '/api/services/jobs.import');
    await waitUntil('a failed attempt', async () => fast.requests.length > before);
    fast.status = 200;
    const delivered = await waitUntil('the retry', async () => {
      const [latest] = (await server.request('GET', '/api/alerts/deliveries?channel=fast&limit=1', { token: admin })).json.deliveries;
      return latest.status === 'sent' ? latest : null;
    });
    assert.equal(delivered.attempts, 2);
    assert.deepEqual(
      delivered.attempt_log.map((attempt: { ok: boolean; temporary: boolean | null }) => [attempt.ok, attempt.temporary]),
      [
        [false, true],
        [true, null],
      ],
    );
  });
});

describe('alert storms', () => {
  it('sends the first alerts one by one and sums up the rest in one digest per channel', async () => {
    const hook = await HttpReceiver.start();
    const server = await PulseServer.start({
      config: [
        '[alerting]',
        'storm_threshold = 3',
        'storm_window_seconds = 2',
        '[[alarms]]',
        'name = "host-$name"',
        'pattern = "host.$name.*"',
        'alerts = ["hook"]',
        '[alerts.hook]',
        `webhook = "${hook.url}/storm"`,
      ].join('\n'),
    });
    try {
      for (let host = 1; host <= 8; host++) await server.request('POST', `/api/services/host.h${host}.ping/fail`);
      await hook.waitForRequests(4, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const received = bodies(hook);
      assert.equal(received.length, 4, 'three single alerts and one digest');
      assert.deepEqual(
        received.slice(0, 3).map((body) => body.to_state),
        ['error', 'error', 'error'],
      );
      const digest = received[3]!;
      assert.equal(digest.kind, 'digest');
      assert.equal((digest.events as unknown[]).length, 5);
      const log = (await server.request('GET', '/api/alerts/deliveries?status=digested', { token: server.adminToken })).json.deliveries;
      assert.equal(log.length, 5, 'the held alerts are in the log, marked as digested');
    } finally {
      await server.dispose();
      await hook.stop();
    }
  });
});

describe('alerts survive a crash', () => {
  it('delivers each queued alert exactly once after kill -9 and a restart', async () => {
    const hook = await HttpReceiver.start();
    hook.status = 503;
    const config = [
      '[[alarms]]',
      'name = "site-$name"',
      'pattern = "site.$name.*"',
      'alerts = ["hook"]',
      '[alerts.hook]',
      `webhook = "${hook.url}/crash"`,
      // A send in flight at the kill keeps its claim for this + 30 s before another worker may take it.
      '[alerting]',
      'delivery_timeout_seconds = 2',
    ].join('\n');
    const first = await PulseServer.start({ config });
    const sites = ['a', 'b', 'c', 'd', 'e'];
    try {
      for (const site of sites) await first.request('POST', `/api/services/site.${site}.check/fail`);
      // Every alert is queued and has failed once (503): they wait for their retry.
      await waitUntil('a first attempt for each alert', async () => new Set(bodies(hook).map((body) => body.name)).size === sites.length);
      // … and recorded: killed between the receiver's answer and that record, a delivery would stay
      // claimed by the dead process until its lease ran out (longer than this test waits).
      await waitUntil('each first attempt recorded', async () => {
        const { deliveries } = (await first.request('GET', '/api/alerts/deliveries?channel=hook', { token: first.adminToken })).json;
        return (
          deliveries.length === sites.length &&
          deliveries.every((delivery: { attempts: number; status: string }) => delivery.attempts === 1 && delivery.status === 'pending')
        );
      });
      await first.process.kill();
    } catch (error) {
      await first.dispose();
      throw error;
    }
    hook.requests.length = 0;
    hook.status = 200;
    const second = await PulseServer.start({ config, dataDir: first.dataDir });
    try {
      // Up to the claim expiry (32 s) when a retry was in flight at the kill, plus the backoff and some slack.
      await waitUntil('every alert delivered', async () => new Set(bodies(hook).map((body) => body.name)).size === sites.length, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const names = bodies(hook)
        .map((body) => body.name as string)
        .sort();
      assert.deepEqual(
        names,
        sites.map((site) => `site-${site}`),
        'each alert once, none lost, none doubled',
      );
    } finally {
      await second.dispose();
      await hook.stop();
    }
  });
});
