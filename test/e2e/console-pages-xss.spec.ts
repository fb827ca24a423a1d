import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BrowserPeer } from '../peers/browser.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { directSite, signIn, type ConsoleSite } from '../support/console-sites.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';
import { expectNothingRan, visitWithCsp } from '../support/xss-checks.js';
import { waitUntil } from '../support/wait.js';

/** Payloads that would set window.__xss (or trip the CSP, which is recorded) if they ever became markup. */
const payload = (n: number) => `<img src=x onerror="window.__xss=${n};alert(${n})">`;
const scriptPayload = (n: number) => `<script>window.__xss=${n}</script>`;
/**
 * An alarm name may hold neither whitespace nor "/" (it is used in URLs), so no tag can carry an
 * attribute: this one tries to break out of an attribute value instead (`title="…"`, `hx-confirm="…"`).
 */
const ALARM_NAME = `<img>x"onfocus="window.__xss=7"autofocus="`;
const RECEIVER_ANSWER = `${payload(5)} ${scriptPayload(6)}`;

/**
 * Texts that reach the Heartbeats, Alarms, Alerts and Maintenance pages from every path: an alert
 * receiver's answer (its error text in the test result and the delivery log), alarm and maintenance
 * names people type, and heartbeat names from statsd. Each carries markup; the pages must show it as
 * text and run none of it.
 */
describe('console pages: hostile texts from users and from the network', { skip: skipUnlessInstalled('chromium') }, () => {
  let site: ConsoleSite;
  let browser: BrowserPeer;
  let admin: string;
  let receiver: HttpReceiver;
  let windowId: number;
  const api = (method: string, path: string, json?: unknown) => site.server.request(method, path, { token: admin, json });

  before(async () => {
    site = await directSite();
    admin = site.server.adminToken!;
    receiver = await HttpReceiver.start();
    receiver.status = 400;
    receiver.responseBody = RECEIVER_ANSWER;
    browser = await BrowserPeer.launch();

    assert.equal(
      (await api('POST', '/api/alerts', { name: 'hostile-hook', type: 'webhook', settings: { url: `${receiver.url}/x` } })).status,
      201,
    );
    assert.equal((await api('POST', '/api/alarms', { name: ALARM_NAME, pattern: 'xss.*', alerts: ['hostile-hook'] })).status, 201);
    const created = await api('POST', '/api/maintenance', {
      name: `${payload(8)} ${scriptPayload(9)}`,
      cron: '0 3 * * *',
      duration_min: 30,
      timezone: 'UTC',
      services: 'xss.*',
    });
    assert.equal(created.status, 201, created.text);
    windowId = created.json.id;

    // From statsd: a name with markup is no service name (refused and counted), the line after it is kept.
    const socket = dgram.createSocket('udp4');
    const datagram = Buffer.from(`${payload(10)}.beat:1|c\nxss.one.beat:1|c\n${scriptPayload(11)}.timeout:60|g\nxss.two.beat:1|c\n`);
    await new Promise<void>((resolve, reject) =>
      socket.send(datagram, site.server.udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
    );
    socket.close();
    await waitUntil('the statsd services', async () => (await api('GET', '/api/services/xss.two')).status === 200);
    // The alarm's service fails, so the alarm alerts through the hostile receiver and its answer lands in the log.
    await api('POST', '/api/services/xss.one/fail');
    await waitUntil('the alarm’s alert to be tried', async () => {
      const [delivery] = (await api('GET', '/api/alerts/deliveries?channel=hostile-hook')).json.deliveries;
      return delivery?.last_error ? delivery : null;
    });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await receiver?.stop();
  });

  const visit = (page: Page, path: string) => visitWithCsp(page, site.url, path);

  it('the texts really carry the markup, and statsd took no name with markup (so the test below can fail)', async () => {
    const [delivery] = (await api('GET', '/api/alerts/deliveries?channel=hostile-hook')).json.deliveries;
    assert.ok(delivery.last_error.includes(RECEIVER_ANSWER), delivery.last_error);
    assert.equal((await api('GET', `/api/alarms/${encodeURIComponent(ALARM_NAME)}`)).json.alarm.state, 'error');
    assert.equal((await api('GET', `/api/maintenance/${windowId}`)).json.name, `${payload(8)} ${scriptPayload(9)}`);
    const names = (await api('GET', '/api/services')).json.services.map((service: { name: string }) => service.name);
    assert.deepEqual(names.sort(), ['xss.one', 'xss.two']);
  });

  it('shows receivers’ answers, alarm and maintenance names as text on every page, and runs none of them', async () => {
    const { context, watched } = await signIn(browser, site, admin);
    await context.addInitScript({
      content:
        'window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });',
    });
    const { page } = watched;
    try {
      await visit(page, 'heartbeats');
      await page.locator('tr[id="service-xss.two"]').waitFor();
      assert.ok((await page.locator('tr[id="service-xss.one"] .alarms-cell').innerText()).includes(ALARM_NAME));
      assert.equal(await page.locator('#heartbeats-list tbody tr').count(), 2, 'only the two real names');
      await expectNothingRan(watched);

      await visit(page, 'heartbeats/services/xss.one');
      assert.ok((await page.locator('#service-summary .summary-target').innerText()).includes(ALARM_NAME));
      await expectNothingRan(watched);

      await visit(page, 'alarms');
      assert.ok((await page.locator('#alarms-list').innerText()).includes(ALARM_NAME));
      assert.ok((await page.locator('#alarm-definitions').innerText()).includes(ALARM_NAME));
      const definition = page.locator('#alarm-definitions tr', { hasText: 'xss.*' });
      await definition.locator('button', { hasText: 'Delete' }).click();
      await page.locator('#console-alert', { hasText: 'still has' }).waitFor();
      assert.ok(
        watched.confirms.at(-1)!.startsWith(`Delete the alarm definition “${ALARM_NAME}”`),
        'the confirmation quotes the name as text',
      );
      await definition.locator('a', { hasText: 'Edit' }).click();
      await page.locator('#alarm-name-input').waitFor();
      assert.equal(await page.inputValue('#alarm-name-input'), ALARM_NAME, 'the form field holds the name as typed');
      await page.keyboard.press('Escape');
      await expectNothingRan(watched);

      await visit(page, `alarms/alarm/${encodeURIComponent(ALARM_NAME)}`);
      assert.equal(await page.locator('#alarm-name').innerText(), ALARM_NAME);
      await expectNothingRan(watched);

      await visit(page, 'alerts');
      const logged = page.locator('#delivery-log tr.delivery-row', { hasText: 'hostile-hook' }).first();
      assert.ok((await logged.locator('.error-line').innerText()).includes(RECEIVER_ANSWER));
      assert.ok((await logged.locator('.event-cell').innerText()).includes(ALARM_NAME), 'the alert names the alarm');
      await logged.locator('details.attempts summary').click();
      assert.ok((await logged.locator('pre.error-text').first().innerText()).includes(RECEIVER_ANSWER));
      await page.click('button[aria-label="Send a test message through hostile-hook"]');
      const tested = page.locator('#alerts-test-result pre.error-text');
      await tested.waitFor();
      assert.ok((await tested.innerText()).includes(RECEIVER_ANSWER));
      await expectNothingRan(watched);

      await visit(page, 'maintenance');
      assert.ok((await page.locator('#maintenance-list').innerText()).includes(`${payload(8)} ${scriptPayload(9)}`));
      await visit(page, `maintenance/${windowId}/edit`);
      assert.equal(await page.inputValue('#maintenance-name'), `${payload(8)} ${scriptPayload(9)}`);
      await expectNothingRan(watched);
    } finally {
      await context.close();
    }
  });
});
