import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { waitUntil } from '../support/wait.js';

describe('maintenance windows (SPEC §7)', () => {
  let hook: HttpReceiver;
  let server: PulseServer;
  let admin: string;

  before(async () => {
    hook = await HttpReceiver.start();
    server = await PulseServer.start({
      config: [
        '[[alarms]]',
        'name = "nightly"',
        'pattern = "nightly.*"',
        'alerts = ["hook"]',
        '[alerts.hook]',
        `webhook = "${hook.url}/m"`,
      ].join('\n'),
    });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    await hook.stop();
  });

  const create = (json: unknown) => server.request('POST', '/api/maintenance', { token: admin, json });
  const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

  it('creates one-off and recurring windows and shows when they are on', async () => {
    const oneOff = await create({ name: 'patch night', starts_at: iso(3_600_000), ends_at: iso(7_200_000), all: true });
    assert.equal(oneOff.status, 201);
    assert.equal(oneOff.json.active, false);
    assert.deepEqual(oneOff.json.next, { starts_at: oneOff.json.starts_at, ends_at: oneOff.json.ends_at });
    const weekly = await create({
      name: 'Sunday backups',
      cron: '0 2 * * 0',
      duration_min: 90,
      timezone: 'Europe/Berlin',
      services: 'backup.*',
    });
    assert.equal(weekly.status, 201);
    assert.equal(weekly.json.timezone, 'Europe/Berlin');
    assert.equal(Date.parse(weekly.json.next.ends_at) - Date.parse(weekly.json.next.starts_at), 90 * 60_000);
    const list = await server.request('GET', '/api/maintenance', { token: admin });
    assert.deepEqual(
      list.json.windows.map((window: { name: string }) => window.name),
      ['patch night', 'Sunday backups'],
    );
    for (const { id } of list.json.windows)
      assert.equal((await server.request('DELETE', `/api/maintenance/${id}`, { token: admin })).status, 200);
  });

  it('refuses windows that cannot work, naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', all: true }, /^Give either starts_at and ends_at/],
      [{ name: 'x', starts_at: iso(1000), ends_at: iso(2000), cron: '0 2 * * 0', duration_min: 5, all: true }, /^Give either/],
      [{ name: 'x', starts_at: iso(1000), ends_at: iso(2000) }, /^Say what the window covers/],
      [{ name: 'x', starts_at: iso(2000), ends_at: iso(1000), all: true }, /^ends_at: must be after starts_at$/],
      [{ name: 'x', starts_at: iso(-7200_000), ends_at: iso(-3600_000), all: true }, /^ends_at: is in the past$/],
      [{ name: 'x', starts_at: '2026-11-25 22:00', ends_at: iso(1000), all: true }, /^starts_at: must be an ISO 8601 time with a zone/],
      [{ name: 'x', cron: '0 25 * * *', duration_min: 30, all: true }, /^cron: .*0-23/],
      [
        { name: 'x', cron: '0 2 * * 0', duration_min: 30, timezone: 'Europe/Atlantis', all: true },
        /^timezone: "Europe\/Atlantis" is not a time zone/,
      ],
      [{ name: 'x', cron: '0 2 * * 0', all: true }, /^duration_min: is needed for a recurring window$/],
      [{ name: 'x', cron: '0 2 * * 0', duration_min: 30, monitor_ids: ['a'] }, /^monitor_ids: must be monitor ids$/],
    ];
    for (const [json, message] of cases) {
      const response = await create(json);
      assert.equal(response.status, 400, JSON.stringify(json));
      assert.match(response.json.message, message, JSON.stringify(json));
    }
    const backwards = await create({ name: 'x', starts_at: iso(2000), ends_at: iso(1000), all: true });
    assert.deepEqual(backwards.json.fields, { ends_at: 'must be after starts_at' });
    const badZone = await create({ name: 'x', cron: '0 2 * * 0', duration_min: 30, timezone: 'Europe/Atlantis', all: true });
    assert.deepEqual(Object.keys(badZone.json.fields), ['timezone']);
    const neither = await create({ name: 'x', all: true });
    assert.equal(neither.json.fields, undefined, 'a problem of the whole window names no field');
  });

  it('shows covered services as maintenance and sends no alert; when the window ends they count again', async () => {
    await server.request('POST', '/api/services/nightly.export?timeout=3600');
    const window = await create({ name: 'export rebuild', starts_at: iso(-1000), ends_at: iso(3_600_000), services: 'nightly.*' });
    assert.equal(window.json.active, true);
    const state = async () => (await server.request('GET', '/api/services/nightly.export', { token: admin })).json.service.state;
    await waitUntil('the service in maintenance', async () => (await state()) === 'maintenance');

    await server.request('POST', '/api/services/nightly.export/fail');
    assert.equal(await state(), 'maintenance', 'a failure inside the window does not count');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(hook.requests.length, 0, 'no alert inside the window');
    const alarm = await server.request('GET', '/api/alarms/nightly', { token: admin });
    assert.equal(alarm.json.alarm.state, 'ok');

    await server.request('DELETE', `/api/maintenance/${window.json.id}`, { token: admin });
    await waitUntil('the service back to ok', async () => (await state()) === 'ok');
    await server.request('POST', '/api/services/nightly.export/fail');
    await hook.waitForRequests(1);
    assert.deepEqual(JSON.parse(hook.requests[0]!.body), { name: 'nightly', from_state: 'ok', to_state: 'error', incident_number: 1 });
  });
});

describe('maintenance windows across a restart (SPEC §7)', () => {
  it('brings covered heartbeat services back inside a window that is still on, and sends no alert for them', async () => {
    const hook = await HttpReceiver.start();
    const config = [
      '[[alarms]]',
      'name = "jobs"',
      'pattern = "job.*"',
      'alerts = ["hook"]',
      '[alerts.hook]',
      `webhook = "${hook.url}/m"`,
    ].join('\n');
    const first = await PulseServer.start({ config });
    let second: PulseServer | null = null;
    try {
      const admin = first.adminToken!;
      const state = async (server: PulseServer, name: string) =>
        (await server.request('GET', `/api/services/${name}`, { token: admin })).json.service.state as string;
      await first.request('POST', '/api/services/job.covered?timeout=3600');
      await first.request('POST', '/api/services/other.free?timeout=3600');
      const created = await first.request('POST', '/api/maintenance', {
        token: admin,
        json: {
          name: 'upgrade',
          starts_at: new Date(Date.now() - 60_000).toISOString(),
          ends_at: new Date(Date.now() + 3_600_000).toISOString(),
          services: 'job.*',
        },
      });
      assert.equal(created.status, 201, created.text);
      await waitUntil('the window to cover the service', async () => (await state(first, 'job.covered')) === 'maintenance');
      await first.stop();

      second = await PulseServer.start({ config, dataDir: first.dataDir });
      assert.equal(await state(second, 'job.covered'), 'maintenance', 'restored inside the window');
      assert.equal(await state(second, 'other.free'), 'ok');
      await second.request('POST', '/api/services/job.covered/fail');
      assert.equal(await state(second, 'job.covered'), 'maintenance', 'a failure inside the window changes nothing');
      const deliveries = (await second.request('GET', '/api/alerts/deliveries', { token: admin })).json.deliveries;
      assert.deepEqual(deliveries, [], 'and alerts nobody');
      assert.equal(hook.requests.length, 0);
    } finally {
      await second?.stop();
      await first.dispose();
      await hook.stop();
    }
  });
});
