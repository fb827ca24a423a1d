import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BrowserPeer } from '../peers/browser.js';
import { CertificateFactory } from '../peers/certificates.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { OpensslServer } from '../peers/openssl-server.js';
import { SNMPD_COMMUNITY, SnmpdPeer } from '../peers/snmpd.js';
import { directSite, signIn, type ConsoleSite } from '../support/console-sites.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';
import { expectNothingRan, visitWithCsp } from '../support/xss-checks.js';
import { waitUntil } from '../support/wait.js';

/** Payloads that would set window.__xss (or trip the CSP, which is recorded) if they ever became markup. */
const payload = (n: number) => `<img src=x onerror="window.__xss=${n};alert(${n})">`;
const scriptPayload = (n: number) => `<script>window.__xss=${n}</script>`;
/** Without quotes: the snmp check quotes string values JSON-style, which would escape them. */
const SNMP_PAYLOAD = '<img src=x onerror=window.__xss=4>';
/** Names that reach the console from pollers and agents over the network (their registration and reports). */
const REMOTE_NAME = '<img src=x onerror=alert(1)>';
const MOUNT_PAYLOAD = `/srv/${payload(7)}`;

/**
 * Texts that reach the console from every path a monitor has: names people type, an HTTP server's
 * answer, a certificate's subject and issuer (from `openssl s_server`), an SNMP agent's sysDescr (from
 * snmpd); and from pollers and agents: a poller's name and location as it registers, an agent's host
 * name, OS, mount points, file systems and interfaces as it reports. Each carries markup; the pages must
 * show it as text and run none of it.
 */
describe(
  'console monitors: hostile texts from users and from the network',
  { skip: skipUnlessInstalled('chromium', 'openssl', 'snmpd') },
  () => {
    let site: ConsoleSite;
    let browser: BrowserPeer;
    let admin: string;
    let receiver: HttpReceiver;
    let certificates: CertificateFactory;
    let tls: OpensslServer;
    let snmpd: SnmpdPeer;
    const ids: Record<'http' | 'ssl' | 'snmp', number> = { http: 0, ssl: 0, snmp: 0 };
    const remote = { poller: 0, agent: 0 };
    const api = (method: string, path: string, json?: unknown) => site.server.request(method, path, { token: admin, json });

    before(async () => {
      site = await directSite();
      admin = site.server.adminToken!;
      receiver = await HttpReceiver.start();
      receiver.status = 302;
      receiver.statusText = scriptPayload(2);
      receiver.responseHeaders = { location: `javascript:${payload(2)}` };
      receiver.responseBody = scriptPayload(2);
      certificates = new CertificateFactory();
      tls = await OpensslServer.start(
        certificates.issue({ commonName: payload(3), organization: scriptPayload(3), altNames: ['127.0.0.1'] }),
      );
      snmpd = await SnmpdPeer.start({ sysDescr: SNMP_PAYLOAD });
      browser = await BrowserPeer.launch();

      const create = async (body: Record<string, unknown>) => {
        const created = await api('POST', '/api/monitors', { interval: 3600, retries: 0, ...body });
        assert.equal(created.status, 201, created.text);
        return created.json.id as number;
      };
      ids.http = await create({ name: `${payload(1)} web`, type: 'http', target: `${receiver.url}/` });
      ids.ssl = await create({
        name: `${scriptPayload(1)} tls`,
        type: 'ssl',
        target: `127.0.0.1:${tls.port}`,
        options: { allow_self_signed: true },
      });
      ids.snmp = await create({
        name: `"><svg onload=window.__xss=1> switch`,
        type: 'snmp',
        target: snmpd.target,
        options: { community: SNMPD_COMMUNITY, oids: ['1.3.6.1.2.1.1.1.0'] },
      });
      const pollerToken = (await api('POST', '/api/tokens', { name: 'hostile poller', type: 'poller' })).json.token as string;
      const registered = await site.server.request('POST', '/api/poller/register', {
        token: pollerToken,
        json: { name: REMOTE_NAME, location: scriptPayload(6), version: '0.1.0' },
      });
      assert.equal(registered.status, 200, registered.text);
      remote.poller = registered.json.id;
      assert.equal((await api('PUT', `/api/poller/${remote.poller}/assign`, { monitor_ids: [ids.http] })).status, 200);
      const agentToken = (await api('POST', '/api/tokens', { name: 'hostile agent', type: 'agent' })).json.token as string;
      const reported = await site.server.request('POST', '/api/agent/metrics', {
        token: agentToken,
        json: {
          hostname: REMOTE_NAME,
          os: scriptPayload(8),
          cpu: { percent: 12 },
          memory: { total: 8e9, used: 1e9, percent: 12.5 },
          disks: [{ mount: MOUNT_PAYLOAD, fs: '<b>xfs</b>', size: 1e11, used: 9.5e10, percent: 95 }],
          net: [{ iface: '<i>eth0</i>', rx_bps: 1, tx_bps: 1 }],
          collected_at: new Date().toISOString(),
        },
      });
      assert.equal(reported.status, 200, reported.text);
      remote.agent = reported.json.agent_id;
      for (const id of Object.values(ids)) {
        await waitUntil(
          `a first result of monitor ${id}`,
          async () => (await api('GET', `/api/monitors/${id}/results`)).json.results.length > 0,
          30_000,
        );
      }
    });
    after(async () => {
      await browser?.close();
      await Promise.all([receiver?.stop(), tls?.stop(), snmpd?.stop()]);
      certificates?.dispose();
      await site?.close();
    });

    const visit = (page: Page, path: string) => visitWithCsp(page, site.url, path);

    it('the texts really carry the markup (so the test below can fail)', async () => {
      const http = (await api('GET', `/api/monitors/${ids.http}`)).json;
      assert.ok(http.sources[0].message.includes(payload(2)), http.sources[0].message);
      const ssl = (await api('GET', `/api/monitors/${ids.ssl}/results`)).json.results[0];
      assert.ok(ssl.details.subject.includes(payload(3)), JSON.stringify(ssl.details));
      assert.ok(ssl.details.issuer.includes(scriptPayload(3)));
      const snmp = (await api('GET', `/api/monitors/${ids.snmp}`)).json;
      assert.ok(snmp.sources[0].message.includes(SNMP_PAYLOAD), snmp.sources[0].message);
    });

    it('shows names, HTTP messages, certificate subjects, SNMP values, pollers and agents as text on every page, and runs none of them', async () => {
      const { context, watched } = await signIn(browser, site, admin);
      await context.addInitScript({
        content:
          'window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });',
      });
      const { page } = watched;
      try {
        await visit(page, '');
        const dashboard = await page.locator('#dashboard-monitors').innerText();
        for (const text of [`${payload(1)} web`, `${scriptPayload(1)} tls`, payload(2), SNMP_PAYLOAD])
          assert.ok(dashboard.includes(text), `dashboard shows ${text}`);
        await expectNothingRan(watched);

        await visit(page, 'monitors');
        assert.ok((await page.locator('#monitors-list').innerText()).includes('"><svg onload=window.__xss=1> switch'));
        await expectNothingRan(watched);

        await visit(page, `monitors/${ids.http}`);
        assert.equal(await page.locator('#monitor-title').innerText(), `${payload(1)} web`);
        assert.ok((await page.locator('.summary-message').innerText()).includes(`javascript:${payload(2)}`));
        assert.ok((await page.locator('#monitor-results').innerText()).includes(payload(2)));
        await page.click('.summary-actions >> text=Edit');
        await page.locator('#monitor-dialog').waitFor({ state: 'visible' });
        assert.equal(await page.locator('#monitor-name').inputValue(), `${payload(1)} web`, 'the form field holds the name as typed');
        await page.keyboard.press('Escape');
        await expectNothingRan(watched);

        await visit(page, `monitors/${ids.ssl}`);
        const certificate = page.locator('#monitor-results dl.certificate').first();
        await certificate.waitFor();
        const shown = await certificate.innerText();
        assert.ok(shown.includes(`CN=${payload(3)}`), shown);
        assert.ok(shown.includes(`O=${scriptPayload(3)}`), shown);
        assert.match(shown, /SHA-256 fingerprint\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/);
        assert.match(shown, /Names \(SAN\)\s+127\.0\.0\.1/);
        assert.match(shown, /Days left\s+(89|90)/);
        await expectNothingRan(watched);

        await visit(page, `monitors/${ids.snmp}`);
        assert.ok((await page.locator('#monitor-sources').innerText()).includes(SNMP_PAYLOAD));
        await expectNothingRan(watched);

        await visit(page, 'pollers');
        assert.ok((await page.locator(`#poller-row-${remote.poller}`).innerText()).includes(REMOTE_NAME));
        assert.ok((await page.locator(`#poller-row-${remote.poller}`).innerText()).includes(scriptPayload(6)));
        await expectNothingRan(watched);
        await visit(page, `pollers/${remote.poller}`);
        assert.equal(await page.locator('#poller-title').innerText(), REMOTE_NAME);
        assert.equal(await page.locator('#poller-name').inputValue(), REMOTE_NAME);
        assert.ok((await page.locator('#poller-monitor-options').innerText()).includes(`${payload(1)} web`), 'monitor names in the picker');
        await expectNothingRan(watched);
        await visit(page, `monitors/${ids.http}`);
        assert.ok((await page.locator('#monitor-sources').innerText()).includes(REMOTE_NAME), 'the poller as a source');
        await page.click('.summary-actions >> text=Edit');
        await page.locator('#monitor-dialog').waitFor({ state: 'visible' });
        assert.ok((await page.locator('#monitor-form-sources').innerText()).includes(REMOTE_NAME), 'the poller in the Sources field');
        await page.keyboard.press('Escape');
        await visit(page, 'monitors');
        assert.ok((await page.locator(`#monitor-row-${ids.http} .chips`).innerText()).includes(REMOTE_NAME), 'its chip');
        await expectNothingRan(watched);

        await visit(page, 'agents');
        const agentRow = await page.locator(`#agent-row-${remote.agent}`).innerText();
        for (const text of [REMOTE_NAME, MOUNT_PAYLOAD]) assert.ok(agentRow.includes(text), `agents list shows ${text}`);
        await expectNothingRan(watched);
        await visit(page, `agents/${remote.agent}`);
        assert.equal(await page.locator('#agent-title').innerText(), REMOTE_NAME);
        assert.ok((await page.locator('#agent-reason').innerText()).includes(MOUNT_PAYLOAD), 'the reason names the mount');
        const figures = await page.locator('#agent-figures').innerText();
        for (const text of [MOUNT_PAYLOAD, '<b>xfs</b>', '<i>eth0</i>']) assert.ok(figures.includes(text), `agent page shows ${text}`);
        assert.ok((await page.locator('#agent-summary').innerText()).includes(scriptPayload(8)));
        assert.ok((await page.locator('#agent-charts').innerText()).includes(MOUNT_PAYLOAD), 'the disk chart legend');
        await expectNothingRan(watched);
      } finally {
        await context.close();
      }
    });
  },
);
