import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { BrowserPeer } from '../peers/browser.js';
import { directSite, nginxSite, signIn, type ConsoleSite } from '../support/console-sites.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';
import { startProcess, type TestProcess } from '../support/processes.js';

const POLLER_ENTRY = path.join(fileURLToPath(new URL('../../', import.meta.url)), 'app', 'entry', 'poller.js');
/** SPEC §4: a poller silent for 90 s is offline; the judgement comes within a few seconds after. */
const OFFLINE_AFTER_MS = 150_000;

type Flags = { __marker?: number };
const setMarker = (page: Page) => page.evaluate(() => ((globalThis as unknown as Flags).__marker = 1));
const marker = (page: Page) => page.evaluate(() => (globalThis as unknown as Flags).__marker);

function agentReport(hostname: string, dataPercent: number) {
  return {
    hostname,
    os: 'Debian GNU/Linux 12',
    uptime_s: 86_400,
    cpu: { percent: 42, load1: 1.5, load5: 1.2, load15: 1, cores: 8 },
    memory: { total: 16e9, used: 4e9, percent: 25 },
    disks: [
      { mount: '/', fs: 'ext4', size: 1e11, used: 3e10, percent: 30 },
      { mount: '/data', fs: 'xfs', size: 1e12, used: dataPercent * 1e10, percent: dataPercent },
    ],
    net: [{ iface: 'eth0', rx_bps: 1e6, tx_bps: 2e5 }],
    collected_at: new Date().toISOString(),
    interval: 30,
  };
}

/**
 * SPEC §8 in Chromium: a real poller process registers and shows online, its monitors are picked by
 * search, and once it is stopped the page turns offline by itself; an agent reporting through the API
 * appears live with its figures as bars, a refused threshold shows at its field, a saved one changes the
 * agent's state, and a new report changes it back without a reload.
 */
describe('console pollers in Chromium', { skip: skipUnlessInstalled('chromium') }, () => {
  let site: ConsoleSite;
  let browser: BrowserPeer;
  let admin: string;
  const work = mkdtempSync(path.join(os.tmpdir(), 'pulse-console-pollers-'));
  const api = (method: string, urlPath: string, json?: unknown, token = admin) => site.server.request(method, urlPath, { token, json });

  before(async () => {
    site = await directSite();
    admin = site.server.adminToken!;
    browser = await BrowserPeer.launch();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows a running poller online, assigns it a monitor found by search, and turns it offline live once it stops', async () => {
    const monitor = (await api('POST', '/api/monitors', { name: 'intranet wiki', type: 'port', target: '127.0.0.1:9', interval: 3600 }))
      .json.id as number;
    await api('POST', '/api/monitors', { name: 'shop front', type: 'port', target: '127.0.0.1:9', interval: 3600 });
    const token = (await api('POST', '/api/tokens', { name: 'poller hh', type: 'poller' })).json.token as string;
    const config = path.join(work, 'poller.conf');
    writeFileSync(
      config,
      [
        `server = "${site.url}"`,
        `token = "${token}"`,
        'name = "Hamburg DC"',
        'location = "HH"',
        `data_dir = "${path.join(work, 'poller')}"`,
      ].join('\n'),
      { mode: 0o600 },
    );
    let poller: TestProcess | null = startProcess(process.execPath, [POLLER_ENTRY, '--config', config], {
      env: { PATH: process.env.PATH },
      cwd: work,
      label: 'poller',
    });
    const { context, watched } = await signIn(browser, site, admin);
    const { page } = watched;
    try {
      const id = Number((await poller.waitForOutput(/registered as poller (\d+)/, 60_000))[1]);
      await page.goto(`${site.url}pollers`);
      const row = page.locator(`#poller-row-${id}`);
      await row.locator('.state', { hasText: 'Online' }).waitFor();
      assert.match(await row.innerText(), /Hamburg DC\s+HH/);
      assert.match(await row.locator('td.mono').innerText(), /^\d+\.\d+\.\d+/, 'its version');
      assert.match((await row.locator('time').last().getAttribute('title'))!, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/, 'the exact time on hover');

      await row.locator('a', { hasText: 'Edit' }).click();
      await page.waitForURL(new RegExp(`/pollers/${id}$`));
      assert.equal(await page.locator('#poller-state').innerText(), 'Online');
      await page.fill('#poller-monitor-search', 'wiki');
      const wiki = page.locator(`#poller-monitor-options input[value="${monitor}"]`);
      await page.locator('#poller-monitor-options .picker-name', { hasText: 'shop front' }).waitFor({ state: 'detached' });
      await wiki.check();
      await page.fill('#poller-location', 'Hamburg');
      await Promise.all([page.waitForEvent('load'), page.click('#poller-form button[type=submit]')]);
      assert.deepEqual((await api('GET', `/api/pollers/${id}`)).json.monitor_ids, [monitor]);
      assert.equal((await api('GET', `/api/pollers/${id}`)).json.location, 'Hamburg');
      assert.ok(await page.locator(`#poller-monitor-options input[value="${monitor}"]`).isChecked(), 'shown ticked after the save');

      // The monitor now has two sources, each with its chip.
      await page.goto(`${site.url}monitors?q=wiki`);
      const chips = page.locator(`#monitor-row-${monitor} .chips .chip`);
      await chips.filter({ hasText: 'Hamburg DC' }).waitFor();
      assert.equal(await chips.count(), 2, 'Public and the poller');

      await page.goto(`${site.url}pollers`);
      await setMarker(page);
      await poller.stop();
      poller = null;
      await row.locator('.state', { hasText: 'Offline' }).waitFor({ timeout: OFFLINE_AFTER_MS });
      assert.equal(await marker(page), 1, 'without a reload');
      assert.equal((await api('GET', `/api/pollers/${id}`)).json.state, 'offline');
    } finally {
      await poller?.stop();
      await context.close();
    }
  });
});

function agentsScenario(name: string, open: () => Promise<ConsoleSite>, ...programs: string[]) {
  describe(`console agents in Chromium, ${name}`, { skip: skipUnlessInstalled('chromium', ...programs) }, () => {
    let site: ConsoleSite;
    let browser: BrowserPeer;
    let admin: string;
    const api = (method: string, urlPath: string, json?: unknown, token = admin) => site.server.request(method, urlPath, { token, json });

    before(async () => {
      site = await open();
      admin = site.server.adminToken!;
      browser = await BrowserPeer.launch();
    });
    after(async () => {
      await browser?.close();
      await site?.close();
    });

    it('shows an agent as it first reports, refuses a bad threshold at its field, and follows its state live', async () => {
      const token = (await api('POST', '/api/tokens', { name: 'agent files-01', type: 'agent' })).json.token as string;
      const { context, watched } = await signIn(browser, site, admin);
      const { page } = watched;
      try {
        await page.goto(`${site.url}agents`);
        await setMarker(page);
        const sent = await api('POST', '/api/agent/metrics', agentReport('files-01', 70), token);
        assert.equal(sent.status, 200, sent.text);
        const id = sent.json.agent_id as number;
        const row = page.locator(`#agent-row-${id}`);
        await row.waitFor();
        assert.equal(await marker(page), 1, 'it appeared without a reload');
        assert.equal(await row.locator('.state').innerText(), 'OK');
        const bars = row.locator('.usage');
        assert.deepEqual(await bars.locator('.usage-text').allInnerTexts(), ['42 %', '25 %', '70 %']);
        assert.equal(await row.locator('.usage-mount').innerText(), '/data');
        assert.equal(await bars.first().locator('.usage-fill').getAttribute('width'), '42');

        await row.locator('a', { hasText: 'files-01' }).click();
        await page.waitForURL(new RegExp(`/agents/${id}$`));
        assert.equal(await page.locator('#agent-state').innerText(), 'OK');
        assert.deepEqual(await page.locator('.agent-disk dt .mono').allInnerTexts(), ['/', '/data']);
        await page.fill('#threshold-disk_percent', '150');
        await page.click('#agent-thresholds button[type=submit]');
        const error = page.locator('#threshold-disk_percent-error');
        await error.waitFor();
        assert.equal(await error.innerText(), 'Must be a percent, 1 to 100.');
        assert.equal(await page.locator('#threshold-disk_percent').getAttribute('aria-invalid'), 'true');
        assert.equal(
          await page.evaluate('document.activeElement && document.activeElement.id'),
          'threshold-disk_percent',
          'the bad field has the focus',
        );

        await page.fill('#threshold-disk_percent', '60');
        await Promise.all([page.waitForEvent('load'), page.click('#agent-thresholds button[type=submit]')]);
        assert.equal(await page.locator('#agent-state').innerText(), 'Warning');
        assert.equal(await page.locator('#agent-reason').innerText(), 'disk /data 70 % > 60 %');
        assert.equal(await page.locator('.agent-disk .usage-bad .usage-text').innerText(), '70 %');

        await setMarker(page);
        assert.equal((await api('POST', '/api/agent/metrics', agentReport('files-01', 50), token)).status, 200);
        await page.locator('#agent-state', { hasText: 'OK' }).waitFor();
        await page.locator('.agent-disk .usage-text', { hasText: '50 %' }).waitFor();
        assert.equal(await marker(page), 1, 'state and figures changed without a reload');

        await page.click('#agent-summary >> text=Delete');
        await page.waitForURL(`${site.url}agents`);
        assert.match(watched.confirms.at(-1)!, /^Delete the agent “files-01”\?/);
        assert.equal((await api('GET', `/api/agents/${id}`)).status, 404);
        assert.deepEqual(
          watched.errors.filter((error) => !/status of 422/.test(error)),
          [],
          'no errors but the refused form’s 422',
        );
      } finally {
        await context.close();
      }
    });
  });
}

agentsScenario('served directly', () => directSite());
agentsScenario('behind nginx at /monitoring/pulse/', () => nginxSite(), 'nginx');
