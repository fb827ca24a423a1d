import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BrowserPeer } from '../peers/browser.js';
import { directSite, nginxSite, signIn, type ConsoleSite } from '../support/console-sites.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

const XSS_NAME = '<img src=x onerror="window.__xss=1;alert(1)">';
const XSS_SCRIPT = '<script>window.__xss=2</script>';

function consoleScenario(name: string, open: () => Promise<ConsoleSite>, ...programs: string[]) {
  describe(`console in Chromium, ${name}`, { skip: skipUnlessInstalled('chromium', ...programs) }, () => {
    let site: ConsoleSite;
    let browser: BrowserPeer;
    let admin: string;
    const path = () => new URL(site.url).pathname;

    before(async () => {
      site = await open();
      admin = site.server.adminToken!;
      browser = await BrowserPeer.launch();
    });
    after(async () => {
      await browser?.close();
      await site?.close();
    });

    it('shows the sign-in page, refuses a wrong token with a message, and signs in with the admin token', async () => {
      const context = await browser.context();
      try {
        const { page, alerts } = await browser.page(context);
        const response = await page.goto(site.url);
        assert.equal(new URL(page.url()).pathname, `${path()}sign-in`, 'GET / leads to sign-in');
        assert.match(response!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
        await page.fill('#token', `sw_admin_${'f'.repeat(64)}`);
        await page.click('button[type=submit]');
        assert.match(await page.locator('#sign-in-error').innerText(), /That token is not valid/);
        await page.fill('#token', admin);
        await page.click('button[type=submit]');
        await page.waitForURL(site.url);
        assert.equal(await page.locator('nav.sidebar a[aria-current=page]').innerText(), 'Dashboard', 'signed in: the dashboard');
        const cookies = await context.cookies();
        const session = cookies.find((cookie) => cookie.name === 'pulse_session')!;
        assert.equal(session.path, path(), 'the cookie is scoped to the base path');
        assert.equal(session.httpOnly, true);
        assert.equal(session.sameSite, 'Strict');
        for (const link of await page
          .locator('a[href], form[action], [hx-get], [hx-post], [sse-connect], script[src], link[href]')
          .evaluateAll((nodes) =>
            nodes.map(
              (node) =>
                node.getAttribute('href') ??
                node.getAttribute('action') ??
                node.getAttribute('hx-get') ??
                node.getAttribute('hx-post') ??
                node.getAttribute('sse-connect') ??
                node.getAttribute('src'),
            ),
          )) {
          assert.ok(link?.startsWith(path()) || link?.startsWith('#'), `${link} is under ${path()}`);
        }
        assert.deepEqual(alerts, []);
      } finally {
        await context.close();
      }
    });

    it('creates a token with a field error first, reveals the secret once with a copy button, and revokes it', async () => {
      const { context, watched } = await signIn(browser, site, admin);
      const { page } = watched;
      try {
        await page.goto(`${site.url}tokens`);
        await page.evaluate(() => ((globalThis as unknown as { __marker: number }).__marker = 1));
        await page.click('#token-create button[type=submit]');
        assert.equal(
          await page.locator('#token-name-error').innerText(),
          'This field is required.',
          'blank name: the error is next to the field',
        );
        await page.fill('#token-name', XSS_NAME);
        await page.selectOption('#token-type', 'agent');
        await page.fill('#token-expiry', '30');
        await page.click('#token-create button[type=submit]');
        const secret = await page.locator('#token-secret').inputValue();
        assert.match(secret, /^sw_agent_[0-9a-f]{64}$/);
        assert.match(await page.locator('#token-reveal').innerText(), /It will not be shown again/);
        await page.click('#token-reveal button[data-copy]');
        assert.equal(
          await page.evaluate(() =>
            (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
          ),
          secret,
          'the copy button copies the secret',
        );
        assert.equal(await page.locator('#token-name').inputValue(), '', 'the form is ready for the next token');

        const row = page.locator('#tokens-list tr', { hasText: XSS_NAME });
        assert.equal(await row.locator('td.name').innerText(), XSS_NAME, 'the name shows as text');
        assert.equal(await row.locator('.state').innerText(), 'Active');
        assert.equal(await page.evaluate(() => (globalThis as unknown as { __marker?: number }).__marker), 1, 'all without a page load');

        await row.locator('button', { hasText: 'Revoke' }).click();
        await row.locator('.state', { hasText: 'Revoked' }).waitFor();
        assert.equal(watched.confirms.length, 1, 'revoking asks first');
        assert.match(watched.confirms[0]!, /^Revoke “<img src=x onerror="window.__xss=1;alert\(1\)">”\?/);
        assert.equal(await row.locator('button').count(), 0, 'a revoked token has no actions');

        await page.reload();
        assert.equal(await page.locator('#token-secret').count(), 0, 'the secret is not shown again');
        assert.ok(!(await page.content()).includes(secret));
        assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined, 'no injected script ran');
        assert.deepEqual(watched.alerts, []);
        assert.deepEqual(
          watched.errors.filter((error) => /Content Security Policy|Refused to/i.test(error)),
          [],
          'nothing the page does needs the CSP relaxed',
        );
      } finally {
        await context.close();
      }
    });

    it('shows names from the API as text, and a token created elsewhere appears live', async () => {
      const { context, watched } = await signIn(browser, site, admin);
      const { page } = watched;
      try {
        await page.goto(`${site.url}tokens`);
        await page.evaluate(() => ((globalThis as unknown as { __marker: number }).__marker = 1));
        const created = await site.server.request('POST', '/api/tokens', { token: admin, json: { name: XSS_SCRIPT, type: 'poller' } });
        assert.equal(created.status, 201);
        const row = page.locator(`#token-${created.json.id}`);
        await row.waitFor({ timeout: 10_000 });
        assert.equal(await row.locator('td.name').innerText(), XSS_SCRIPT);
        assert.equal(
          await page.evaluate(() => (globalThis as unknown as { __marker?: number }).__marker),
          1,
          'it came over the event stream, not a reload',
        );

        await row.locator('button', { hasText: 'Rotate' }).click();
        const secret = await page.locator('#token-secret').inputValue();
        assert.match(secret, /^sw_poller_[0-9a-f]{64}$/);
        assert.match(await page.locator('#token-reveal h2').innerText(), /^New secret for “<script>window.__xss=2<\/script>”$/);
        assert.equal(await row.locator('td.mono').innerText(), `…${secret.slice(-4)}`, 'the row shows the new hint');
        const old = await site.server.request('GET', '/api/tokens', { token: created.json.token });
        assert.equal(old.status, 401, 'the old secret no longer works');
        assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined);
        assert.deepEqual(watched.alerts, []);
      } finally {
        await context.close();
      }
    });

    it('throws out the session of a revoked admin token at once, and signs out', async () => {
      const second = await site.server.request('POST', '/api/tokens', { token: admin, json: { name: 'night shift', type: 'admin' } });
      const { context, watched } = await signIn(browser, site, second.json.token);
      const { page } = watched;
      try {
        assert.match(await page.locator('.sidebar-foot').innerText(), /Signed in with night shift/);
        await site.server.request('DELETE', `/api/tokens/${second.json.id}`, { token: admin });
        await page.waitForURL(/\/sign-in/, { timeout: 15_000 });
        assert.ok(await page.locator('#token').isVisible(), 'the open page went to sign-in by itself');
        await page.goto(`${site.url}tokens`);
        assert.equal(new URL(page.url()).pathname, `${path()}sign-in`);
      } finally {
        await context.close();
      }

      const signedIn = await signIn(browser, site, admin);
      try {
        await signedIn.watched.page.click('.sidebar-foot button[type=submit]');
        await signedIn.watched.page.waitForURL(`${site.url}sign-in`);
        await signedIn.watched.page.goto(`${site.url}tokens`);
        assert.equal(new URL(signedIn.watched.page.url()).pathname, `${path()}sign-in`, 'signed out for good');
      } finally {
        await signedIn.context.close();
      }
    });

    it('reads without JavaScript, and plain forms still work', async () => {
      const context = await browser.browser.newContext({ javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await page.goto(site.url);
        await page.fill('#token', admin);
        await page.click('button[type=submit]');
        await page.waitForURL(site.url);
        await page.goto(`${site.url}tokens`);
        assert.ok((await page.locator('#tokens-list tbody tr').count()) >= 1);
        await page.fill('#token-name', 'made without js');
        await page.click('#token-create button[type=submit]');
        assert.match(await page.locator('#token-secret').inputValue(), /^sw_agent_/);
      } finally {
        await context.close();
      }
    });
  });
}

consoleScenario('served directly', () => directSite());
consoleScenario('behind nginx at /monitoring/pulse/', () => nginxSite(), 'nginx');
