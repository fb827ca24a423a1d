import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { BrowserPeer, type WatchedPage } from '../peers/browser.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { directSite, nginxSite, signIn, type ConsoleSite } from '../support/console-sites.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

/** Marks the open document, so a test can tell an update in place from a reload. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true));
}

async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument === true);
}

/** A report as an agent sends it (enough for the server to know the agent). */
function agentReport(hostname: string) {
  return {
    hostname,
    os: 'Debian GNU/Linux 12 (bookworm), kernel 6.1.0 x64',
    uptime_s: 3600,
    cpu: { percent: 12.5, load1: 0.2, load5: 0.1, load15: 0.1, cores: 4 },
    memory: { total: 8e9, used: 2e9, percent: 25 },
    swap: { total: 0, used: 0, percent: 0 },
    disks: [{ mount: '/', fs: 'ext4', size: 1e11, used: 4e10, percent: 40 }],
    net: [{ iface: 'eth0', rx_bps: 8000, tx_bps: 4000 }],
    collected_at: new Date().toISOString(),
    interval: 30,
  };
}

/** A row of the heartbeats list (ids hold the service name, dots and all). */
const serviceRow = (page: Page, name: string) => page.locator(`tr[id="service-${name}"]`);

/** The Heartbeats, Alarms, Alerts, Maintenance and Settings pages in Debian's Chromium, directly and behind nginx at a sub-path. */
function pagesScenario(name: string, open: () => Promise<ConsoleSite>, ...programs: string[]) {
  describe(`console pages in Chromium, ${name}`, { skip: skipUnlessInstalled('chromium', ...programs) }, () => {
    let site: ConsoleSite;
    let browser: BrowserPeer;
    let receiver: HttpReceiver;
    let admin: string;
    const api = (method: string, path: string, json?: unknown) => site.server.request(method, path, { token: admin, json });
    const sessions: BrowserContext[] = [];
    /** Every URL a session's page asked for: behind nginx each must be under the sub-path (nginx answers 404 elsewhere). */
    const requested = new WeakMap<WatchedPage, string[]>();
    const session = async () => {
      const signedIn = await signIn(browser, site, admin);
      sessions.push(signedIn.context);
      const urls: string[] = [];
      signedIn.watched.page.on('request', (request) => urls.push(request.url()));
      requested.set(signedIn.watched, urls);
      return signedIn.watched;
    };
    const goto = (watched: WatchedPage, path: string) => watched.page.goto(`${site.url}${path}`);
    /**
     * Nothing ran that should not have: no dialog but confirmations, no script error, no CSP violation.
     * The 4xx answers the flows provoke on purpose (a field error, a refused delete) are logged by the
     * browser and htmx too; those are left out.
     */
    const assertQuiet = (watched: WatchedPage) => {
      const urls = requested.get(watched)!;
      assert.ok(urls.length > 0);
      assert.deepEqual(
        urls.filter((url) => !url.startsWith(site.url)),
        [],
        `every page, fragment, form, static file and event stream is under ${site.url}`,
      );
      assert.deepEqual(watched.alerts, []);
      const expected = /^(Failed to load resource: the server responded with a status of (409|422)|Response Status Error Code 409 from )/;
      assert.deepEqual(
        watched.errors.filter((error) => !expected.test(error)),
        [],
      );
    };

    before(async () => {
      receiver = await HttpReceiver.start();
      site = await open();
      admin = site.server.adminToken!;
      browser = await BrowserPeer.launch();
    });
    after(async () => {
      for (const context of sessions) await context.close().catch(() => undefined);
      await browser?.close();
      await site?.close();
      await receiver?.stop();
    });

    it('mutes a heartbeat in its row, edits its timeout with a field error first, and shows a new service live', async () => {
      await api('POST', '/api/services/web.cache-warm?timeout=600');
      const watched = await session();
      const { page } = watched;
      await goto(watched, 'heartbeats');
      const row = serviceRow(page, 'web.cache-warm');
      await row.locator('.state', { hasText: 'OK' }).waitFor();
      await markDocument(page);

      await page.click('button[aria-label="Mute web.cache-warm"]');
      await row.locator('.state', { hasText: 'Muted' }).waitFor();
      assert.equal((await api('GET', '/api/services/web.cache-warm')).json.service.state, 'muted');
      await row.locator('button[aria-label="Unmute web.cache-warm"]').waitFor();

      await row.locator('details.inline-edit summary').click();
      await row.locator('input[name=timeout]').fill('soon');
      await row.locator('button', { hasText: 'Set' }).click();
      await row.locator('.field-error', { hasText: 'Give seconds' }).waitFor();
      assert.equal((await api('GET', '/api/services/web.cache-warm')).json.service.timeout, 600_000, 'a refused timeout changes nothing');
      await row.locator('input[name=timeout]').fill('5m');
      await row.locator('button', { hasText: 'Set' }).click();
      await row.locator('.timeout', { hasText: '5 min' }).waitFor();
      assert.equal((await api('GET', '/api/services/web.cache-warm')).json.service.timeout, 300_000);

      await row.locator('button[aria-label="Unmute web.cache-warm"]').click();
      await row.locator('.state', { hasText: 'OK' }).waitFor();
      assert.equal((await api('GET', '/api/services/web.cache-warm')).json.service.state, 'ok');

      await api('POST', '/api/services/web.appears-live');
      await serviceRow(page, 'web.appears-live').waitFor();
      assert.ok(await sameDocument(page), 'all of it without a reload');
      assertQuiet(watched);
    });

    it("opens a service's page from its row, shows its failure live there and mutes it on that page", async () => {
      await api('POST', '/api/services/web.page-view?timeout=600');
      const watched = await session();
      const { page } = watched;
      await goto(watched, 'heartbeats');
      await serviceRow(page, 'web.page-view').locator('td.name a').click();
      await page.waitForURL(`${site.url}heartbeats/services/web.page-view`);
      const summary = page.locator('#service-summary');
      await summary.locator('.state', { hasText: 'OK' }).waitFor();
      await markDocument(page);

      await api('POST', '/api/services/web.page-view/fail');
      await summary.locator('.state', { hasText: 'Error' }).waitFor();
      await summary.locator('button', { hasText: /^Mute$/ }).click();
      await summary.locator('.state', { hasText: 'Muted' }).waitFor();
      assert.equal((await api('GET', '/api/services/web.page-view')).json.service.state, 'muted');
      assert.ok(await sameDocument(page), 'the failure came in and the mute went out without a reload');
      assertQuiet(watched);
    });

    it('deletes heartbeat services by a glob after showing what matches', async () => {
      for (const service of ['tmp.one', 'tmp.two', 'keep.one']) await api('POST', `/api/services/${service}`);
      const watched = await session();
      const { page } = watched;
      await goto(watched, 'heartbeats');
      await page.fill('#heartbeats-pattern', 'tmp.*');
      await page.click('#heartbeats-bulk button:has-text("Show matches")');
      await page.locator('#heartbeats-bulk-preview', { hasText: '2 services' }).waitFor();
      assert.deepEqual(await page.locator('#heartbeats-bulk-preview .name-list li').allInnerTexts(), ['tmp.one', 'tmp.two']);
      await page.click('#heartbeats-bulk-preview button:has-text("Delete 2 services")');
      await page.locator('#heartbeats-bulk .ok-note', { hasText: 'Deleted 2 services' }).waitFor();
      assert.deepEqual(watched.confirms, ['Delete 2 services matching “tmp.*”? This cannot be undone.']);
      assert.equal((await api('GET', '/api/services/tmp.one')).status, 404);
      assert.equal((await api('GET', '/api/services/keep.one')).status, 200);
      await serviceRow(page, 'tmp.one').waitFor({ state: 'detached' });
      assertQuiet(watched);
    });

    it('creates an alarm with a field error first, shows its incident number live, edits and deletes it', async () => {
      const watched = await session();
      const { page } = watched;
      await goto(watched, 'alarms');
      await page.click('a.button.primary:has-text("New alarm")');
      await page.fill('#alarm-name-input', 'shop jobs');
      await page.fill('#alarm-pattern', 'shop.*');
      await page.click('#alarm-form button[type=submit]');
      await page.locator('#alarm-name-error', { hasText: 'must not contain spaces' }).waitFor();
      await page.fill('#alarm-name-input', 'shop');
      await page.click('#alarm-form button[type=submit]');
      const definition = page.locator('#alarm-definitions tr', { hasText: 'shop.*' });
      await definition.waitFor();
      assert.equal((await api('GET', '/api/alarms/shop')).status, 404, 'no alarm until a service matches');

      await markDocument(page);
      await api('POST', '/api/services/shop.export');
      const alarm = page.locator('#alarms-list tr', { has: page.locator('a', { hasText: /^shop$/ }) });
      await alarm.locator('.state', { hasText: 'OK' }).waitFor();
      await api('POST', '/api/services/shop.export/fail');
      await alarm.locator('.state', { hasText: 'Error' }).waitFor();
      await alarm.locator('td.num', { hasText: '#1' }).waitFor();
      assert.ok(await sameDocument(page), 'the alarm turned up and failed without a reload');

      // The alarm's own page, with its failing service.
      await alarm.locator('a', { hasText: /^shop$/ }).click();
      await page.waitForURL(`${site.url}alarms/alarm/shop`);
      await page.locator('#alarm-members tr', { hasText: 'shop.export' }).locator('.state', { hasText: 'Error' }).waitFor();
      await goto(watched, 'alarms');

      await definition.locator('a', { hasText: 'Edit' }).click();
      await page.locator('#alarm-pattern').waitFor();
      assert.equal(await page.inputValue('#alarm-name-input'), 'shop');
      await page.fill('#alarm-pattern', 'shop.export*');
      await page.click('#alarm-form button[type=submit]');
      await page.locator('#alarm-definitions code', { hasText: 'shop.export*' }).waitFor();
      const saved = (await api('GET', '/api/alarms')).json.definitions.find((candidate: { name: string }) => candidate.name === 'shop');
      assert.equal(saved.pattern, 'shop.export*');

      await page.locator('#alarm-definitions tr', { hasText: 'shop.export*' }).locator('button', { hasText: 'Delete' }).click();
      await page.locator('#console-alert', { hasText: /still has/ }).waitFor();
      await api('DELETE', '/api/services/shop.export');
      await page.locator('#alarm-definitions tr', { hasText: 'shop.export*' }).locator('button', { hasText: 'Delete' }).click();
      await page.locator('#alarm-definitions tr', { hasText: 'shop.export*' }).waitFor({ state: 'detached' });
      assert.ok(!(await api('GET', '/api/alarms')).json.definitions.some((candidate: { name: string }) => candidate.name === 'shop'));
      assertQuiet(watched);
    });

    it('creates a maintenance window with a field error first: recurring in a time zone, and one-off for a monitor, an agent and services', async () => {
      const monitor = await api('POST', '/api/monitors', { name: 'Core switch', type: 'port', target: '127.0.0.1:9', interval: 3600 });
      assert.equal(monitor.status, 201, monitor.text);
      const monitorId = monitor.json.id as number;
      await api('POST', '/api/monitors', { name: 'Edge router', type: 'port', target: '127.0.0.1:9', interval: 3600 });
      const agentIds: Record<string, number> = {};
      for (const hostname of ['edge-02', 'db-01']) {
        const token = (await api('POST', '/api/tokens', { name: `agent ${hostname}`, type: 'agent' })).json.token as string;
        const sent = await site.server.request('POST', '/api/agent/metrics', { token, json: agentReport(hostname) });
        assert.equal(sent.status, 200, sent.text);
        agentIds[hostname] = sent.json.agent_id;
      }
      const edgeId = agentIds['edge-02'];
      const watched = await session();
      const { page } = watched;
      await goto(watched, 'maintenance');
      await page.click('a.button.primary:has-text("New window")');
      await page.locator('#maintenance-form').waitFor();
      await page.click('#maintenance-form button[type=submit]');
      await page.locator('#maintenance-name-error').waitFor();
      assert.deepEqual((await api('GET', '/api/maintenance')).json.windows, []);

      await page.fill('#maintenance-name', 'Nightly patching');
      await page.check('#maintenance-kind-recurring');
      await page.fill('#maintenance-cron', '30 2 * * *');
      await page.fill('#maintenance-duration', '45');
      await page.fill('#maintenance-timezone', 'Europe/Berlin');
      await page.locator('#maintenance-preview .preview-head', { hasText: 'Europe/Berlin' }).waitFor();
      assert.equal(await page.locator('#maintenance-preview li').count(), 5);
      await page.check('#maintenance-all');
      await page.click('#maintenance-form button[type=submit]');
      await page.locator('#maintenance-list tr', { hasText: 'Nightly patching' }).waitFor();
      const [recurring] = (await api('GET', '/api/maintenance')).json.windows;
      assert.deepEqual(
        {
          name: recurring.name,
          cron: recurring.cron,
          duration_min: recurring.duration_min,
          timezone: recurring.timezone,
          all: recurring.all,
        },
        { name: 'Nightly patching', cron: '30 2 * * *', duration_min: 45, timezone: 'Europe/Berlin', all: true },
      );

      await page.click('a.button.primary:has-text("New window")');
      await page.locator('#maintenance-form').waitFor();
      await page.fill('#maintenance-name', 'Switch swap');
      await page.check('#maintenance-kind-once');
      await page.fill('#maintenance-timezone', 'UTC');
      await page.fill('#maintenance-starts', '2031-03-04T22:00');
      await page.fill('#maintenance-ends', '2031-03-04T23:30');
      await page.fill('#maintenance-services', 'shop.*');
      // The pickers: a monitor and an agent found by name and ticked.
      await page.fill('#maintenance-monitors-search', 'core switch');
      await page.locator('#maintenance-monitors-options label', { hasText: 'Edge router' }).waitFor({ state: 'detached' });
      await page.locator('#maintenance-monitors-options label', { hasText: 'Core switch' }).locator('input').check();
      await page.fill('#maintenance-agents-search', 'edge');
      await page.locator('#maintenance-agents-options label', { hasText: 'db-01' }).waitFor({ state: 'detached' });
      await page.locator('#maintenance-agents-options label', { hasText: 'edge-02' }).locator('input').check();
      await page.click('#maintenance-form button[type=submit]');
      const row = page.locator('#maintenance-list tr', { hasText: 'Switch swap' });
      await row.waitFor();
      assert.match(await row.innerText(), /Core switch/);
      assert.match(await row.innerText(), /edge-02/);
      const once = (await api('GET', '/api/maintenance')).json.windows.find((window: { name: string }) => window.name === 'Switch swap');
      assert.deepEqual(
        {
          starts_at: once.starts_at,
          ends_at: once.ends_at,
          services: once.services,
          all: once.all,
          monitor_ids: once.monitor_ids,
          agent_ids: once.agent_ids,
        },
        {
          starts_at: '2031-03-04T22:00:00.000Z',
          ends_at: '2031-03-04T23:30:00.000Z',
          services: 'shop.*',
          all: false,
          monitor_ids: [monitorId],
          agent_ids: [edgeId],
        },
      );

      // A window made elsewhere (the API) that is on now shows up under "On now" by itself, and goes when deleted.
      await markDocument(page);
      const now = Date.now();
      const made = await api('POST', '/api/maintenance', {
        name: 'Emergency fix',
        starts_at: new Date(now - 60_000).toISOString(),
        ends_at: new Date(now + 3_600_000).toISOString(),
        services: 'shop.*',
      });
      assert.equal(made.status, 201, made.text);
      const onNow = page.locator('section[aria-labelledby=maintenance-active-heading] tr', { hasText: 'Emergency fix' });
      await onNow.waitFor();
      await api('DELETE', `/api/maintenance/${made.json.id}`);
      await onNow.waitFor({ state: 'detached' });
      assert.ok(await sameDocument(page), 'the list followed the API without a reload');
      assertQuiet(watched);
    });

    it('makes a webhook channel, test-sends it to a real local receiver and shows the outcome in the delivery log, live', async () => {
      receiver.status = 200;
      const watched = await session();
      const { page } = watched;
      await goto(watched, 'alerts');
      await page.click('a.button.primary:has-text("New channel")');
      await page.locator('#channel-form').waitFor();
      await page.selectOption('#channel-type', 'webhook');
      await page.getByLabel('URL').waitFor();
      await page.fill('#channel-name', 'team-hook');
      await page.getByLabel('URL').fill('not a url');
      await page.click('#channel-form button[type=submit]');
      await page.locator('#channel-form .field-error').first().waitFor();
      await page.getByLabel('URL').fill(`${receiver.url}/team`);
      await page.click('#channel-form button[type=submit]');
      await page.locator('#alert-channels tr', { hasText: 'team-hook' }).waitFor();
      await markDocument(page);

      const before = receiver.requests.length;
      await page.click('button[aria-label="Send a test message through team-hook"]');
      await page.locator('#alerts-test-result .test-delivery', { hasText: 'delivered' }).waitFor();
      assert.equal(receiver.requests.length, before + 1);
      const body = JSON.parse(receiver.requests.at(-1)!.body);
      assert.deepEqual([receiver.requests.at(-1)!.path, body.kind, body.name], ['/team', 'test', 'team-hook']);
      const sent = page.locator('#delivery-log tr.delivery-row', { hasText: 'team-hook' }).first();
      await sent.locator('.state', { hasText: 'Sent' }).waitFor();

      receiver.status = 404;
      receiver.responseBody = 'no such hook here';
      await page.click('button[aria-label="Send a test message through team-hook"]');
      await page.locator('#alerts-test-result .error-text', { hasText: 'no such hook here' }).waitFor();
      const failed = page.locator('#delivery-log tr.delivery-row', { hasText: 'no such hook here' }).first();
      await failed.locator('.state', { hasText: 'Failed' }).waitFor();
      await failed.locator('details.attempts summary').click();
      await failed.locator('.attempt-bad pre.error-text', { hasText: 'HTTP 404' }).waitFor();
      // An open attempt list holds the log's live refresh (so it does not close under the reader): close it.
      await failed.locator('details.attempts summary').click();
      receiver.status = 200;
      receiver.responseBody = 'ok';

      // Sent from elsewhere (the API): the open log shows it by itself.
      const count = await page.locator('#delivery-log tr.delivery-row').count();
      await api('POST', '/api/alerts/team-hook/test');
      await page.locator('#delivery-log tr.delivery-row').nth(count).waitFor();
      assert.ok(await sameDocument(page), 'the log updated in place');
      assertQuiet(watched);
    });

    it('shows the effective configuration and filters it to what the file or environment sets', async () => {
      const watched = await session();
      const { page } = watched;
      await goto(watched, 'settings');
      await page.locator('#settings-http').waitFor();
      assert.ok((await page.locator('.settings-table .origin-default').count()) > 0, 'defaults are listed');
      await markDocument(page);
      await page.click('a:has-text("Only what the file or environment sets")');
      await page.waitForURL(/settings\?show=changed$/);
      await page.locator('.settings-table', { hasText: 'auth_failures_per_minute' }).waitFor();
      assert.equal(await page.locator('.settings-table .origin-default').count(), 0);
      assert.ok(await sameDocument(page));
      assertQuiet(watched);
    });
  });
}

pagesScenario('served directly', () => directSite());
pagesScenario('behind nginx at /monitoring/pulse/', () => nginxSite(), 'nginx');
