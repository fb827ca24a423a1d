import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { ConsoleClient } from '../support/console-client.js';

const MAIL_PASSWORD = 'mail-secret-7731';
const HEADER_SECRET = 'Bearer header-secret-4456';

/**
 * The Heartbeats, Alarms, Alerts, Maintenance and Settings pages over HTTP: whole pages and htmx fragments,
 * CSRF on every state change they make, nothing changed on a GET, and secrets never on the Settings page.
 * (The browser flows are in console-pages-browser.spec.ts.)
 */
describe('console pages over HTTP: heartbeats, alarms, alerts, maintenance, settings (SPEC §8)', () => {
  let server: PulseServer;
  let receiver: HttpReceiver;
  let admin: string;
  const client = () => new ConsoleClient(`${server.baseUrl}/`);
  const api = async (method: string, path: string, json?: unknown) => server.request(method, path, { token: admin, json });

  before(async () => {
    receiver = await HttpReceiver.start();
    server = await PulseServer.start({
      config: [
        '[http]',
        'auth_failures_per_minute = 1000',
        '[mail]',
        'server = "127.0.0.1:1"',
        `password = "${MAIL_PASSWORD}"`,
        '[alerts.ops]',
        'mail = "ops@example.com"',
        '[alerts.hook]',
        'type = "webhook"',
        `options = { url = "${receiver.url}/hook", headers = { Authorization = "${HEADER_SECRET}" } }`,
        '[[alarms]]',
        'name = "jobs"',
        'pattern = "jobs.*"',
      ].join('\n'),
    });
    admin = server.adminToken!;
    await api('POST', '/api/services/jobs.import?timeout=600');
    await api('POST', '/api/alarms', { name: 'nightly', pattern: 'nightly.*' });
  });
  after(async () => {
    await server?.dispose();
    await receiver?.stop();
  });

  it('serves every page whole, and its parts alone to htmx, always with Vary: HX-Request', async () => {
    const user = client();
    await user.signIn(admin);
    const pages: [string, RegExp][] = [
      ['heartbeats', /<h1>Heartbeats<\/h1>/],
      ['heartbeats/services/jobs.import', /<h1 id="service-name" class="mono">jobs\.import<\/h1>/],
      ['alarms', /<h1>Alarms<\/h1>/],
      ['alarms/alarm/jobs', /<h1 id="alarm-name">jobs<\/h1>/],
      ['alarms/new', /New alarm/],
      ['alerts', /<h1>Alerts<\/h1>/],
      ['alerts/channels/new?type=webhook', /New alert channel/],
      ['maintenance', /<h1>Maintenance<\/h1>/],
      ['maintenance/new', /New maintenance window/],
      ['settings', /<h1>Settings<\/h1>/],
    ];
    for (const [path, heading] of pages) {
      const page = await user.request('GET', path);
      assert.equal(page.status, 200, path);
      assert.match(page.text, /^<!doctype html>/, path);
      assert.match(page.text, heading, path);
      assert.match(page.headers.get('vary') ?? '', /HX-Request/i, path);
    }
    const fragments: [string, string][] = [
      ['heartbeats', 'heartbeats-list'],
      ['alarms', 'alarms-list'],
      ['alerts', 'delivery-log'],
      ['maintenance', 'maintenance-list'],
      ['settings', 'settings-tables'],
    ];
    for (const [path, target] of fragments) {
      const fragment = await user.request('GET', path, { headers: { 'hx-request': 'true', 'hx-target': target } });
      assert.equal(fragment.status, 200, path);
      assert.ok(
        fragment.text.trimStart().startsWith(`<section id="${target}"`) || fragment.text.trimStart().startsWith(`<div id="${target}"`),
        `${path}: only #${target}`,
      );
      assert.ok(!fragment.text.includes('<html'), path);
      assert.match(fragment.headers.get('vary') ?? '', /HX-Request/i, path);
    }
    for (const [name, target] of [
      ['Core switch', '127.0.0.1:9'],
      ['Edge router', '127.0.0.1:9'],
    ])
      assert.equal((await api('POST', '/api/monitors', { name, type: 'port', target, interval: 3600 })).status, 201);
    const picked = await user.request('GET', 'maintenance/choices/monitors?monitor_search=switch', { headers: { 'hx-request': 'true' } });
    assert.equal(picked.status, 200, picked.text);
    assert.match(picked.text, /^<div id="maintenance-monitors-options"/);
    assert.match(picked.text, /Core switch/);
    assert.doesNotMatch(picked.text, /Edge router/, 'only what the search finds');
    assert.equal((await user.request('GET', 'maintenance/choices/printers', { headers: { 'hx-request': 'true' } })).status, 404);
    assert.equal((await user.request('GET', 'heartbeats/services/no.such')).status, 404);
    assert.equal((await user.request('GET', 'alarms/alarm/no-such')).status, 404);
  });

  it('lists alarms in error first, a page at a time, and finds them by name', async () => {
    // A template makes one alarm per host: 105 of them, one failing.
    assert.equal((await api('POST', '/api/alarms', { name: 'host-$h', pattern: 'fleet.$h' })).status, 201);
    for (let host = 100; host < 205; host++) await api('POST', `/api/services/fleet.h${host}`);
    await api('POST', '/api/services/fleet.h180/fail');
    const user = client();
    await user.signIn(admin);
    const names = (html: string) => [...html.matchAll(/<td class="name"><a href="[^"]*">([^<]+)<\/a>/g)].map((match) => match[1]);
    const first = await user.request('GET', 'alarms');
    const shown = names(first.text);
    assert.equal(shown.length, 100, 'a page of 100');
    assert.equal(shown[0], 'host-h180', 'the failing alarm first');
    assert.deepEqual(shown.slice(1, 3), ['host-h100', 'host-h101'], 'then the others by name');
    assert.match(first.text, /106 alarms, 1 in error/);
    const second = names((await user.request('GET', 'alarms?page=2')).text);
    assert.deepEqual(second, ['host-h200', 'host-h201', 'host-h202', 'host-h203', 'host-h204', 'jobs'], 'the rest, none twice');
    assert.deepEqual(names((await user.request('GET', 'alarms?q=h15')).text), [
      'host-h150',
      'host-h151',
      'host-h152',
      'host-h153',
      'host-h154',
      'host-h155',
      'host-h156',
      'host-h157',
      'host-h158',
      'host-h159',
    ]);
    for (let host = 100; host < 205; host++) await api('DELETE', `/api/services/fleet.h${host}`);
    assert.equal((await api('DELETE', '/api/alarms/host-$h')).status, 200);
  });

  it('deletes services by a glob only as many as the preview showed, and counts services by state', async () => {
    for (let index = 10; index < 35; index++) await api('POST', `/api/services/many.s${index}`);
    await api('POST', '/api/services/many.s10/mute');
    const user = client();
    await user.signIn(admin);
    const counts = (await user.request('GET', 'heartbeats')).text;
    assert.match(counts, /<span class="state-count-label">All<\/span> <span class="state-count-number">26<\/span>/);
    assert.match(counts, /<span class="state-count-label">Muted<\/span> <span class="state-count-number">1<\/span>/);

    const preview = await user.request('GET', 'heartbeats/matching?pattern=many.*', { headers: { 'hx-request': 'true' } });
    const listed = [...preview.text.matchAll(/<li class="mono">([^<]+)<\/li>/g)].map((match) => match[1]);
    assert.equal(listed.length, 20, 'the first 20 names');
    assert.deepEqual(listed.slice(0, 2), ['many.s10', 'many.s11'], 'in name order');
    assert.match(preview.text, /and 5 more/);
    assert.match(preview.text, /name="expected" value="25"/);

    await api('POST', '/api/services/many.s99');
    const stale = await user.htmxPost('heartbeats/delete-matching', { pattern: 'many.*', expected: '25' });
    assert.equal(stale.status, 409, 'the match changed since the preview');
    assert.match(stale.text, /matches 26 services now/);
    assert.equal((await api('GET', '/api/services/many.s10')).status, 200, 'nothing was deleted');
    const confirmed = await user.htmxPost('heartbeats/delete-matching', { pattern: 'many.*', expected: '26' });
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.text, /Deleted 26 services matching/);
    assert.equal((await api('GET', '/api/services/many.s10')).status, 404);
    assert.equal((await api('GET', '/api/services/jobs.import')).status, 200, 'only what matched');
  });

  it('refuses every state change of these pages without the session’s CSRF token, with another session’s, or from another origin, and changes nothing', async () => {
    const alice = client();
    const bob = client();
    await alice.signIn(admin);
    await bob.signIn(admin);
    const changes: [string, Record<string, string>][] = [
      ['heartbeats/services/jobs.import/mute', { from: 'list' }],
      ['heartbeats/services/jobs.import/timeout', { timeout: '5' }],
      ['heartbeats/services/jobs.import/delete', {}],
      ['heartbeats/delete-matching', { pattern: 'jobs.*', expected: '1' }],
      ['alarms', { name: 'csrf-alarm', pattern: 'csrf.*' }],
      ['alarms/definition/nightly', { pattern: 'changed.*' }],
      ['alarms/definition/nightly/delete', {}],
      ['alerts/channels', { name: 'csrf-channel', type: 'webhook', 'settings.url': `${receiver.url}/csrf` }],
      ['alerts/channels/hook/test', {}],
      ['maintenance', { name: 'csrf window', kind: 'recurring', cron: '0 2 * * *', duration_min: '60', timezone: 'UTC', all: 'true' }],
    ];
    const ways: [string, (path: string, form: Record<string, string>) => Promise<{ status: number; text: string }>][] = [
      ['no token', (path, form) => alice.htmxPost(path, form, { 'x-csrf-token': '' })],
      ["another session's token", (path, form) => alice.htmxPost(path, form, { 'x-csrf-token': bob.csrfToken })],
      ['another origin', (path, form) => alice.htmxPost(path, form, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })],
      [
        "a plain form with another session's token",
        (path, form) => alice.request('POST', path, { form: { ...form, _csrf: bob.csrfToken }, headers: { origin: alice.origin } }),
      ],
    ];
    for (const [path, form] of changes) {
      for (const [way, send] of ways) {
        const response = await send(path, form);
        assert.equal(response.status, 403, `${path}: ${way}`);
        assert.match(response.text, /refused because it did not come from a page of this console/, `${path}: ${way}`);
      }
    }
    const service = (await api('GET', '/api/services/jobs.import')).json.service;
    assert.equal(service.state, 'ok', 'not muted');
    assert.equal(service.timeout, 600_000, 'its timeout unchanged');
    const alarms = (await api('GET', '/api/alarms')).json;
    assert.deepEqual(
      alarms.definitions.map((definition: { name: string }) => definition.name),
      ['jobs', 'nightly'],
    );
    assert.equal(alarms.definitions[1].pattern, 'nightly.*');
    assert.equal((await api('GET', '/api/alerts/csrf-channel')).status, 404);
    assert.equal(receiver.requests.length, 0, 'no test message was sent');
    assert.deepEqual((await api('GET', '/api/maintenance')).json.windows, []);

    // The same changes with the token, from the console: they work (so the refusals above were the checks').
    assert.equal((await alice.htmxPost('heartbeats/services/jobs.import/mute', { from: 'list' })).status, 200);
    assert.equal((await api('GET', '/api/services/jobs.import')).json.service.state, 'muted');
    assert.equal((await alice.htmxPost('heartbeats/services/jobs.import/unmute', { from: 'list' })).status, 200);
  });

  it('changes nothing on a GET', async () => {
    const user = client();
    await user.signIn(admin);
    for (const path of [
      'heartbeats/services/jobs.import/mute',
      'heartbeats/delete-matching?pattern=jobs.*&expected=1',
      'alerts/channels/hook/test',
    ]) {
      const response = await user.request('GET', path);
      assert.ok(response.status === 404 || response.status === 405, `${path}: ${response.status}`);
    }
    assert.equal((await api('GET', '/api/services/jobs.import')).json.service.state, 'ok');
    assert.equal(receiver.requests.length, 0);
  });

  it('shows the effective configuration with where each value came from, and no secret', async () => {
    const user = client();
    await user.signIn(admin);
    const page = await user.request('GET', 'settings');
    for (const secret of [MAIL_PASSWORD, 'header-secret-4456']) assert.ok(!page.text.includes(secret), `${secret} is not on the page`);
    assert.match(page.text, /<code>\[mail\]<\/code> <span class="muted small">read by the E-mail alerter<\/span>/);
    const row = (key: string) =>
      new RegExp(
        `<td class="mono setting-key">${key.replace(/[.[\]]/g, '\\$&')}</td>\\s*<td class="setting-value"><code>([^<]*)</code>`,
      ).exec(page.text)?.[1];
    assert.equal(row('password'), '&quot;********&quot;', '[mail] password is masked');
    assert.equal(row('options.headers'), '{ Authorization &#x3D; &quot;********&quot; }', 'header values are masked, names kept');
    assert.equal(row('mail'), '&quot;ops@example.com&quot;', 'not a secret: shown');
    assert.match(page.text, /file, line 5/, 'a key from the file names its line');
    assert.match(page.text, /<code>PULSE_DATA_DIR<\/code>/, 'a value from the environment names its variable');
    const changed = await user.request('GET', 'settings?show=changed');
    assert.match(changed.text, /<td class="mono setting-key">auth_failures_per_minute<\/td>/, 'a key the file sets is listed');
    assert.match(page.text, /<td class="mono setting-key">storm_threshold<\/td>/);
    assert.doesNotMatch(changed.text, /<td class="mono setting-key">storm_threshold<\/td>/, 'a default is not');
  });
});
