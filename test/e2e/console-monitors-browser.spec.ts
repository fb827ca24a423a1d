import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { BrowserPeer, type WatchedPage } from '../peers/browser.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { directSite, nginxSite, signIn, type ConsoleSite } from '../support/console-sites.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';
import { waitUntil } from '../support/wait.js';

const XSS_NAME = '<img src=x onerror="window.__xss=1;alert(1)"> shop';
const PAGE_SIZE = 25;
const BULK = 65;

type Flags = { __marker?: number; __xss?: number; __csp?: string[] };

/** Every CSP violation the page reports is collected (an injected handler the CSP blocked would show up here). */
async function watchViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript({
    content:
      'window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });',
  });
}

const flags = (page: Page) =>
  page.evaluate(() => {
    const all = globalThis as unknown as Flags;
    return { marker: all.__marker, xss: all.__xss, csp: all.__csp };
  });
const setMarker = (page: Page) => page.evaluate(() => ((globalThis as unknown as Flags).__marker = 1));

async function expectNothingInjected(watched: WatchedPage): Promise<void> {
  const seen = await flags(watched.page);
  assert.equal(seen.xss, undefined, 'no injected script ran');
  assert.deepEqual(seen.csp, [], 'nothing the page does, or was made to do, needs the CSP relaxed');
  assert.deepEqual(watched.alerts, []);
  assert.deepEqual(
    watched.errors.filter((error) => /Content Security Policy|Refused to/i.test(error)),
    [],
  );
}

function monitorsScenario(name: string, open: () => Promise<ConsoleSite>, ...programs: string[]) {
  describe(`console monitors in Chromium, ${name}`, { skip: skipUnlessInstalled('chromium', ...programs) }, () => {
    let site: ConsoleSite;
    let browser: BrowserPeer;
    let admin: string;
    const api = (method: string, path: string, json?: unknown) => site.server.request(method, path, { token: admin, json });

    before(async () => {
      site = await open();
      admin = site.server.adminToken!;
      browser = await BrowserPeer.launch();
    });
    after(async () => {
      await browser?.close();
      await site?.close();
    });

    it('adds an HTTP monitor in the dialog (a field error first), sees it go down, up and down live, pauses, edits and deletes it', async () => {
      const receiver = await HttpReceiver.start();
      receiver.status = 503;
      const { context, watched } = await signIn(browser, site, admin);
      await watchViolations(context);
      const { page } = watched;
      try {
        await page.goto(`${site.url}monitors`);
        await page.click('.page-head >> text=Add monitor');
        const dialog = page.locator('#monitor-dialog');
        await dialog.waitFor({ state: 'visible' });
        assert.equal(
          await page.evaluate('document.activeElement && document.activeElement.id'),
          'monitor-name',
          'focus starts in the dialog',
        );
        await page.selectOption('#monitor-type', 'http');
        await page.locator('label[for=monitor-target]', { hasText: 'URL' }).waitFor();
        assert.ok(await page.locator('#monitor-option-follow_redirects').isChecked(), "the http check's own fields, with their defaults");
        await page.fill('#monitor-name', XSS_NAME);
        await page.fill('#monitor-target', 'not a url');
        await page.fill('#monitor-interval', '5');
        await page.fill('#monitor-retries', '0');
        await page.click('#monitor-form button[type=submit]');
        const targetError = page.locator('#monitor-target-error');
        await targetError.waitFor();
        assert.match(await targetError.innerText(), /must be an http:\/\/ or https:\/\/ URL/i, 'the message is next to the target field');
        assert.equal(await page.locator('#monitor-target').getAttribute('aria-invalid'), 'true');
        assert.ok(await dialog.isVisible(), 'the dialog stays open');
        assert.equal(await page.locator('#monitor-name').inputValue(), XSS_NAME, 'with what was typed');
        assert.equal(await page.locator('#monitor-interval').inputValue(), '5');

        await page.fill('#monitor-target', `${receiver.url}/health`);
        await page.click('#monitor-form button[type=submit]');
        await page.waitForURL(/\/monitors\/\d+$/);
        const id = Number(new URL(page.url()).pathname.split('/').pop());
        assert.equal(await page.locator('#monitor-title').innerText(), XSS_NAME, 'the name shows as text');
        const state = page.locator('#monitor-state');
        await state.filter({ hasText: 'Down' }).waitFor({ timeout: 30_000 });
        assert.match(await page.locator('.summary-message').innerText(), /HTTP 503/);

        // The dashboard in a second tab of the same session.
        const dashboard = await browser.page(context);
        await dashboard.page.goto(site.url);
        const dashboardRow = dashboard.page.locator(`#monitor-row-${id}`);
        await dashboardRow.locator('.state', { hasText: 'Down' }).waitFor();
        await setMarker(page);
        await setMarker(dashboard.page);

        receiver.status = 200;
        await state.filter({ hasText: 'Up' }).waitFor({ timeout: 30_000 });
        await dashboardRow.locator('.state', { hasText: 'Up' }).waitFor({ timeout: 15_000 });
        await page.locator('#monitor-sources td.message', { hasText: 'HTTP 200' }).waitFor();
        await receiver.stop();
        await state.filter({ hasText: 'Down' }).waitFor({ timeout: 30_000 });
        await dashboardRow.locator('.state', { hasText: 'Down' }).waitFor({ timeout: 15_000 });
        assert.equal((await flags(page)).marker, 1, 'the monitor page changed without a reload');
        assert.equal((await flags(dashboard.page)).marker, 1, 'so did the dashboard');
        await page.locator('#monitor-incidents td.mono', { hasText: '#2' }).waitFor({ timeout: 15_000 });
        await dashboard.page.close();

        await page.click('#monitor-summary button:has-text("Pause")');
        await state.filter({ hasText: 'Paused' }).waitFor();
        assert.equal((await api('GET', `/api/monitors/${id}`)).json.paused, true);

        await page.click('.summary-actions >> text=Edit');
        await dialog.waitFor({ state: 'visible' });
        const follow = page.locator('#monitor-option-follow_redirects');
        assert.ok(await follow.isChecked());
        assert.ok(await page.locator('#monitor-option-max_redirects').isVisible(), 'shown while redirects are followed');
        await follow.uncheck();
        assert.ok(await page.locator('#monitor-option-max_redirects').isHidden(), 'hidden once they are not');
        await page.click('#monitor-option-headers [data-map-add]');
        const rows = page.locator('#monitor-option-headers .map-row');
        assert.equal(await rows.count(), 2, 'one empty row to start with, one added');
        await rows.last().locator('input').first().fill('X-Pulse-Test');
        await rows.last().locator('input').last().fill('night shift');
        await rows.first().locator('[data-map-remove]').click();
        assert.equal(await rows.count(), 1, 'the empty row removed');
        // Saved: the dialog's answer sends the browser to the monitor page again (a new page load).
        await Promise.all([page.waitForEvent('load'), page.click('#monitor-form button[type=submit]')]);
        assert.match(page.url(), new RegExp(`/monitors/${id}$`));
        const stored = (await api('GET', `/api/monitors/${id}`)).json;
        assert.equal(stored.options.follow_redirects, false);
        assert.deepEqual(stored.options.headers, { 'X-Pulse-Test': 'night shift' });
        assert.equal(stored.interval, 5, 'the other settings kept');

        await page.click('.summary-actions >> text=Edit');
        await dialog.waitFor({ state: 'visible' });
        assert.equal(await page.locator('#monitor-option-follow_redirects').isChecked(), false, 'reopened: as saved');
        assert.equal(await page.locator('#monitor-option-headers .map-row input').first().inputValue(), 'X-Pulse-Test');
        assert.equal(await page.locator('#monitor-option-headers .map-row input').nth(1).inputValue(), 'night shift');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });

        await page.click('.summary-actions >> text=Delete');
        await page.waitForURL(`${site.url}monitors`);
        assert.match(watched.confirms.at(-1)!, /^Delete “<img src=x onerror="window.__xss=1;alert\(1\)"> shop”\?/);
        assert.equal((await api('GET', `/api/monitors/${id}`)).status, 404);
        await expectNothingInjected(watched);
      } finally {
        await context.close();
        await receiver.stop().catch(() => undefined);
      }
    });

    it('offers the active pollers as Sources, Public always checked, and saves the ones ticked', async () => {
      const token = (await api('POST', '/api/tokens', { name: 'poller ffm', type: 'poller' })).json.token as string;
      const registered = await site.server.request('POST', '/api/poller/register', {
        token,
        json: { name: 'Frankfurt Office', location: 'FFM', version: '0.1.0' },
      });
      assert.equal(registered.status, 200, registered.text);
      const pollerId = registered.json.id as number;
      const { context, watched } = await signIn(browser, site, admin);
      const { page } = watched;
      let id: number | null = null;
      try {
        await page.goto(`${site.url}monitors`);
        await page.click('.page-head >> text=Add monitor');
        await page.locator('#monitor-dialog').waitFor({ state: 'visible' });
        const sources = page.locator('#monitor-form-sources');
        assert.ok(await sources.locator('input[disabled]').isChecked(), 'Public is checked and cannot be unticked');
        const poller = sources.locator(`input[name=pollers][value="${pollerId}"]`);
        assert.match(await sources.innerText(), /Frankfurt Office\s+\(FFM\)/);
        // While the port check's fields load, the target cannot be typed into: the answer replaces it.
        let answer!: () => void;
        const held = new Promise<void>((resolve) => (answer = resolve));
        const typeFields = /\/monitors\/form-fields\?/;
        await page.route(typeFields, async (route) => {
          await held;
          await route.continue();
        });
        await page.selectOption('#monitor-type', 'port');
        await page.locator('#monitor-target:disabled').waitFor({ timeout: 5_000 });
        answer();
        // Not /host/i: the first type (ping) asks for a "Host name or IP address" before the swap.
        await page.locator('label[for=monitor-target]', { hasText: 'Host and port' }).waitFor();
        assert.ok(await page.locator('#monitor-target').isEnabled(), 'the target can be typed into again');
        await page.unroute(typeFields);
        await page.fill('#monitor-name', 'checked from Frankfurt');
        await page.fill('#monitor-target', '127.0.0.1:9');
        await poller.check();
        await page.click('#monitor-form button[type=submit]');
        await page.waitForURL(/\/monitors\/\d+$/);
        id = Number(new URL(page.url()).pathname.split('/').pop());
        assert.deepEqual((await api('GET', `/api/monitors/${id}`)).json.pollers, [pollerId]);
      } finally {
        await context.close();
        if (id !== null) await api('DELETE', `/api/monitors/${id}`);
        await api('DELETE', `/api/pollers/${pollerId}`);
      }
    });

    it('does not lose a state change that arrives while the list is being fetched for a click', async () => {
      const receiver = await HttpReceiver.start();
      const created = await api('POST', '/api/monitors', {
        name: 'raced',
        type: 'http',
        target: `${receiver.url}/`,
        interval: 5,
        retries: 0,
      });
      const id = created.json.id as number;
      const { context, watched } = await signIn(browser, site, admin);
      const { page } = watched;
      try {
        await page.goto(`${site.url}monitors?q=raced`);
        const state = page.locator(`#monitor-row-${id} .state`);
        await state.filter({ hasText: 'Up' }).waitFor({ timeout: 30_000 });
        await setMarker(page);
        await page.evaluate(`(() => {
          window.__monitorEvents = 0;
          document.body.addEventListener('htmx:sseMessage', (event) => {
            if (event.detail && event.detail.type === 'monitors') window.__monitorEvents++;
          });
        })()`);
        const monitorEvents = () => page.evaluate(() => (globalThis as unknown as { __monitorEvents: number }).__monitorEvents);
        // The click's answer is rendered now (the monitor up) and held until the change's event is in the page.
        let released!: () => void;
        const release = new Promise<void>((resolve) => (released = resolve));
        await page.route(
          (url) => url.pathname.endsWith('/monitors') && url.searchParams.get('dir') === 'desc',
          async (route) => {
            const answer = await route.fetch();
            await release;
            await route.fulfill({ response: answer });
          },
        );
        await page.click('#monitors-list th >> text=Name');
        const before = await monitorEvents();
        receiver.status = 503;
        await waitUntil('the change to reach the page while the click is in flight', async () => (await monitorEvents()) > before, 30_000);
        released();
        await page.waitForURL(/dir=desc/);
        // Its live refresh was dropped while the click was in flight; it is fetched again, not left to the minute's poll.
        await state.filter({ hasText: 'Down' }).waitFor({ timeout: 15_000 });
        assert.equal((await flags(page)).marker, 1, 'without a reload');
      } finally {
        await context.close();
        await receiver.stop();
        await api('DELETE', `/api/monitors/${id}`);
      }
    });

    it(`pages, sorts and filters ${BULK} monitors on the server, in the URL, with and without JavaScript`, async () => {
      const ids: number[] = [];
      for (let index = 0; index < BULK; index++) {
        const type = index % 5 === 0 ? 'http' : 'port';
        const created = await api('POST', '/api/monitors', {
          name: `bulk ${String(index).padStart(2, '0')}`,
          type,
          target: type === 'http' ? 'http://127.0.0.1:9/' : '127.0.0.1:9',
          interval: 3600,
          retries: 0,
        });
        assert.equal(created.status, 201, created.text);
        ids.push(created.json.id);
      }
      for (const id of ids.slice(0, 5)) assert.equal((await api('POST', `/api/monitors/${id}/pause`)).status, 200);

      const { context, watched } = await signIn(browser, site, admin);
      const { page } = watched;
      const names = () => page.locator('#monitors-list tbody td.name > a').allInnerTexts();
      try {
        await page.goto(`${site.url}monitors?q=bulk&per_page=${PAGE_SIZE}`);
        assert.deepEqual(
          await names(),
          Array.from({ length: PAGE_SIZE }, (_, index) => `bulk ${String(index).padStart(2, '0')}`),
        );
        assert.match(await page.locator('.table-caption').innerText(), /1–25 of 65 monitors/);
        await setMarker(page);

        await page.click('#monitors-list .pager >> text=Next →');
        await page.locator('#monitors-list td.name > a', { hasText: 'bulk 25' }).waitFor();
        assert.equal((await names())[0], 'bulk 25');
        assert.match(page.url(), /[?&]page=2(&|$)/, 'the page is in the URL');

        await page.click('#monitors-list th >> text=Name');
        await page.locator('#monitors-list td.name > a', { hasText: 'bulk 64' }).first().waitFor();
        assert.deepEqual((await names()).slice(0, 3), ['bulk 64', 'bulk 63', 'bulk 62'], 'Z to A, back on page 1');
        assert.match(page.url(), /sort=name&dir=desc/);
        assert.equal(await page.locator('#monitors-list th[aria-sort=descending]').innerText(), 'Name ↓');

        await page.selectOption('#filter-state', 'paused');
        await page.waitForURL(/state=paused/);
        await page.locator('.table-caption', { hasText: '1–5 of 5 monitors' }).waitFor();
        assert.deepEqual(await names(), ['bulk 04', 'bulk 03', 'bulk 02', 'bulk 01', 'bulk 00']);

        await page.selectOption('#filter-state', '');
        await page.selectOption('#filter-sort', 'state');
        await page.selectOption('#filter-dir', 'asc');
        await page.waitForURL(/sort=state&dir=asc/);
        await page.locator('#monitors-list th[aria-sort=ascending]', { hasText: 'State' }).waitFor();
        const rank = { Down: 0, Warning: 1, Pending: 2, Maintenance: 3, Paused: 4, Up: 5 } as Record<string, number>;
        const states = (await page.locator('#monitors-list tbody .state-cell .state').allInnerTexts()).map((text) => rank[text.trim()]!);
        assert.deepEqual(
          states,
          [...states].sort((a, b) => a - b),
          'problems first',
        );
        assert.equal((await flags(page)).marker, 1, 'all of it without a page load');

        await page.fill('#filter-q', 'bulk 1');
        await page.locator('.table-caption', { hasText: 'of 10 monitors' }).waitFor();
        assert.match(page.url(), /q=bulk%201|q=bulk\+1/);

        await page.click('nav.sidebar >> text=HTTP(S)');
        await page.waitForURL(/monitors\?type=http$/);
        assert.equal(await page.locator('nav.sidebar a[aria-current=page]').innerText(), 'HTTP(S)');
        assert.equal((await names()).length, 13, 'every fifth of them is an http monitor');

        await page.goto(`${site.url}monitors?q=bulk&sort=uptime&per_page=${PAGE_SIZE}`);
        assert.equal((await names()).length, PAGE_SIZE, 'sorting by uptime works on the whole set');
      } finally {
        await context.close();
      }

      const noScript = await browser.browser.newContext({ javaScriptEnabled: false });
      try {
        const plain = await noScript.newPage();
        await plain.goto(site.url);
        await plain.fill('#token', admin);
        await plain.click('button[type=submit]');
        await plain.waitForURL(site.url);
        await plain.goto(`${site.url}monitors?q=bulk&sort=name&dir=desc&per_page=${PAGE_SIZE}&page=2`);
        const plainNames = () => plain.locator('#monitors-list tbody td.name > a').allInnerTexts();
        assert.deepEqual((await plainNames()).slice(0, 2), ['bulk 39', 'bulk 38']);
        await plain.click('#monitors-list .pager >> text=Next →');
        assert.equal((await plainNames())[0], 'bulk 14', 'plain links page too');
        await plain.fill('#filter-q', 'bulk 6');
        await plain.click('#monitor-filters button[type=submit]');
        assert.deepEqual(
          await plainNames(),
          ['bulk 64', 'bulk 63', 'bulk 62', 'bulk 61', 'bulk 60'],
          'the filter form works as a plain GET',
        );
        await plain.goto(`${site.url}monitors/new?type=port`);
        await plain.fill('#monitor-name', 'made without js');
        await plain.fill('#monitor-target', '127.0.0.1:9');
        await plain.click('#monitor-form button[type=submit]');
        await plain.waitForURL(/\/monitors\/\d+$/);
        assert.equal(await plain.locator('#monitor-title').innerText(), 'made without js');
      } finally {
        await noScript.close();
      }
      for (const id of ids) await api('DELETE', `/api/monitors/${id}`);
    });
  });
}

monitorsScenario('served directly', () => directSite());
monitorsScenario('behind nginx at /monitoring/pulse/', () => nginxSite(), 'nginx');
