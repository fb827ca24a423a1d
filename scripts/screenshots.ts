/**
 * `npm run screenshots`: runs a demo installation (scripts/demo-installation.ts: monitors against real
 * servers on loopback with months of history; scripts/demo-pages-seed.ts: weeks of heartbeats, alarms,
 * alert channels with real local receivers, maintenance windows, agents, a config file), and has Debian's Chromium
 * photograph the console's pages in light and dark into docs/img/. Pages add their shots to SHOTS as
 * they land. Arguments pick shots by name: `npm run screenshots -- dashboard monitor`.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { BrowserPeer } from '../test/peers/browser.js';
import { PulseServer } from '../test/peers/pulse-server.js';
import { freePort } from '../test/support/ports.js';
import { waitUntil } from '../test/support/wait.js';
import { DemoInstallation } from './demo-installation.js';
import { demoConfig, demoReceiver, seedHeartbeatHistory, seedThroughApi, type DemoReceivers } from './demo-pages-seed.js';
import { keepRemoteDemoAlive, seedPollersAndAgents, writeRemoteHistory, type RemoteDemo } from './demo-remote-seed.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = path.join(root, 'docs', 'img');

interface Demo {
  baseUrl: string;
  /** Monitor ids by name. */
  monitors: Map<string, number>;
  /** The demo's pollers and agents. */
  remote: RemoteDemo;
}

interface Shot {
  name: string;
  signedIn: boolean;
  /** The whole page, not just the window. */
  fullPage?: boolean;
  /** Brings the page into the state to photograph. */
  prepare(page: Page, demo: Demo): Promise<void>;
}

/** Waits until the page's live stream is connected, so what it shows is what it will keep showing. */
const settled = async (page: Page) => {
  await page.waitForLoadState('networkidle').catch(() => undefined);
};

/** The Pollers and Agents pages (scripts/demo-remote-seed.ts makes their data). */
function remoteShots(): Shot[] {
  const agent = (demo: Demo, hostname: string) => demo.remote.agents.find((one) => one.hostname === hostname)!.id;
  return [
    {
      name: 'console-pollers',
      signedIn: true,
      prepare: async (page, { baseUrl }) => {
        await page.goto(`${baseUrl}/pollers`);
        await page.locator('#pollers-list .state', { hasText: 'Offline' }).waitFor();
        await settled(page);
      },
    },
    {
      name: 'console-poller',
      signedIn: true,
      fullPage: true,
      prepare: async (page, demo) => {
        await page.goto(`${demo.baseUrl}/pollers/${demo.remote.pollers[0]!.id}`);
        await settled(page);
      },
    },
    {
      name: 'console-agents',
      signedIn: true,
      prepare: async (page, { baseUrl }) => {
        await page.goto(`${baseUrl}/agents`);
        await settled(page);
      },
    },
    {
      name: 'console-agent',
      signedIn: true,
      fullPage: true,
      prepare: async (page, demo) => {
        await page.goto(`${demo.baseUrl}/agents/${agent(demo, 'db-01')}`);
        await settled(page);
      },
    },
  ];
}

const SHOTS: Shot[] = [
  {
    name: 'console-sign-in',
    signedIn: false,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/sign-in`);
    },
  },
  {
    name: 'console-dashboard',
    signedIn: true,
    fullPage: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/`);
      await settled(page);
    },
  },
  {
    name: 'console-monitors',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/monitors`);
      await settled(page);
    },
  },
  {
    name: 'console-monitor',
    signedIn: true,
    fullPage: true,
    prepare: async (page, { baseUrl, monitors }) => {
      await page.goto(`${baseUrl}/monitors/${monitors.get('Webshop API')}?range=7d`);
      await settled(page);
    },
  },
  {
    name: 'console-monitor-certificate',
    signedIn: true,
    fullPage: true,
    prepare: async (page, { baseUrl, monitors }) => {
      await page.goto(`${baseUrl}/monitors/${monitors.get('VPN portal certificate')}`);
      await settled(page);
    },
  },
  {
    name: 'console-add-monitor',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/monitors`);
      await page.click('.page-head >> text=Add monitor');
      await page.locator('#monitor-dialog').waitFor({ state: 'visible' });
      await page.selectOption('#monitor-type', 'http');
      await page.locator('label[for=monitor-target]', { hasText: 'URL' }).waitFor();
      await page.fill('#monitor-name', 'Customer portal');
      await page.fill('#monitor-target', 'portal.example.com/login');
      await page.click('#monitor-form button[type=submit]');
      await page.locator('#monitor-target-error').waitFor();
    },
  },
  {
    name: 'console-heartbeats',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/heartbeats`);
      await page.locator('tr[id="service-backup.nightly.db-01"]').waitFor();
    },
  },
  {
    name: 'console-heartbeat-service',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/heartbeats/services/etl.orders.hourly`);
    },
  },
  {
    name: 'console-alarms',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/alarms`);
    },
  },
  {
    name: 'console-alerts',
    signedIn: true,
    fullPage: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/alerts`);
      await page.click('button[aria-label="Send a test message through teams-bridge"]');
      await page.locator('#alerts-test-result .test-delivery').waitFor();
      // The log shows the new test by itself (live); then the failing channel's attempts are opened.
      const newest = page.locator('#delivery-log tr.delivery-row').first();
      await newest.locator('td', { hasText: 'teams-bridge' }).waitFor();
      await newest.locator('details.attempts summary').click();
    },
  },
  {
    name: 'console-alert-channel-form',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/alerts`);
      await page.click('a.button.primary:has-text("New channel")');
      await page.locator('#channel-form').waitFor();
      await page.selectOption('#channel-type', 'webhook');
      await page.locator('#channel-alerter-fields input').first().waitFor();
      await page.fill('#channel-name', 'incident-bot');
    },
  },
  {
    name: 'console-maintenance',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/maintenance`);
    },
  },
  {
    name: 'console-maintenance-form',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/maintenance`);
      await page.click('a.button.primary:has-text("New window")');
      await page.locator('#maintenance-form').waitFor();
      await page.fill('#maintenance-name', 'Firewall updates');
      await page.check('#maintenance-kind-recurring');
      await page.fill('#maintenance-cron', '0 22 * * TUE');
      await page.fill('#maintenance-duration', '90');
      await page.fill('#maintenance-timezone', 'Europe/Berlin');
      await page.locator('#maintenance-preview .preview-head', { hasText: 'Europe/Berlin' }).waitFor();
    },
  },
  {
    name: 'console-settings',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/settings?show=changed`);
    },
  },
  {
    name: 'console-tokens',
    signedIn: true,
    prepare: async (page, { baseUrl }) => {
      await page.goto(`${baseUrl}/tokens`);
      await page.fill('#token-name', 'backup jobs (heartbeats)');
      await page.selectOption('#token-type', 'ingest');
      await page.click('#token-create button[type=submit]');
      await page.locator('#token-secret').waitFor();
      await page.locator('#token-name').blur();
    },
  },
  ...remoteShots(),
];

async function seedTokens(server: PulseServer, admin: string): Promise<void> {
  const create = async (name: string, type: string, expires_in_days?: number) =>
    (await server.request('POST', '/api/tokens', { token: admin, json: { name, type, expires_in_days } })).json as {
      id: number;
      token: string;
    };
  await create('web-01 agent', 'agent');
  await create('db-02 agent', 'agent', 90);
  await create('poller Hamburg DC', 'poller', 365);
  const old = await create('old laptop', 'admin');
  await server.request('DELETE', `/api/tokens/${old.id}`, { token: admin });
}

/**
 * Makes the demo's data directory once: tokens, monitors (checked once for real), then alert channels,
 * alarms, maintenance windows, agents and a few alerts through the API (heartbeat history is written for
 * each copy, relative to its moment).
 */
async function prepareDemo(demo: DemoInstallation, dataDir: string, config: string, receivers: DemoReceivers) {
  const server = await PulseServer.start({ dataDir, config });
  let made;
  try {
    const admin = server.adminToken!;
    await seedTokens(server, admin);
    const ids = await demo.addMonitors(server, admin);
    const listed = await server.request('GET', '/api/monitors', { token: admin });
    const monitors = new Map<string, number>(
      (listed.json.monitors as { id: number; name: string }[]).map((monitor) => [monitor.name, monitor.id]),
    );
    await seedThroughApi(server, admin, receivers, monitors);
    const remote = await seedPollersAndAgents(server, admin, monitors);
    made = { admin, ids, monitors, remote };
  } finally {
    await server.stop();
  }
  return made;
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const browser = await BrowserPeer.launch();
  const demo = await DemoInstallation.start();
  const template = mkdtempSync(path.join(os.tmpdir(), 'pulse-demo-'));
  // Webhook and Slack endpoints that take alerts, one that refuses them; the mail channel points at a closed
  // port, so its deliveries fail and retry as they would with a mail server down.
  const ok = await demoReceiver(200, 'ok');
  const failing = await demoReceiver(502, 'Bad Gateway: the Teams connector did not answer within 30 s');
  const config = demoConfig(await freePort());
  try {
    const { admin, ids, monitors, remote } = await prepareDemo(demo, template, config, { ok: ok.url, failing: failing.url });
    for (const colorScheme of ['light', 'dark'] as const) {
      // A fresh copy per scheme, so both show the same data.
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-demo-'));
      cpSync(template, dataDir, { recursive: true });
      // History up to this moment: the server takes the latest results as fresh and keeps each state's start.
      demo.writeHistory(dataDir, ids);
      seedHeartbeatHistory(dataDir, Date.now());
      writeRemoteHistory(dataDir, remote, Date.now());
      const server = await PulseServer.start({ dataDir, config });
      const stopRemote = keepRemoteDemoAlive(server, remote);
      try {
        const started = Date.now();
        // Every monitor checked each minute checked again by this server, so the pages show live state (the
        // five-minute ones keep their last result from the history, which is still fresh).
        await waitUntil(
          'a live result of every demo monitor checked each minute',
          async () => {
            for (const id of ids) {
              const monitor = (await server.request('GET', `/api/monitors/${id}`, { token: admin })).json;
              if (monitor.paused || monitor.interval > 60) continue;
              if (
                !monitor.sources?.some(
                  (source: { checked_at: string | null }) => source.checked_at && Date.parse(source.checked_at) >= started,
                )
              )
                return false;
            }
            return true;
          },
          120_000,
        );
        const wanted = process.argv.slice(2);
        for (const shot of SHOTS.filter((candidate) => wanted.length === 0 || wanted.some((word) => candidate.name.includes(word)))) {
          const context = await browser.context({ colorScheme });
          const page = await context.newPage();
          if (shot.signedIn) {
            await page.goto(`${server.baseUrl}/sign-in`);
            await page.fill('#token', admin);
            await page.click('button[type=submit]');
            await page.waitForURL(`${server.baseUrl}/`);
          }
          await shot.prepare(page, { baseUrl: server.baseUrl, monitors, remote });
          const file = path.join(outDir, `${shot.name}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: shot.fullPage ?? false });
          process.stderr.write(`[screenshots] ${path.relative(root, file)}\n`);
          await context.close();
        }
      } finally {
        await stopRemote();
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(template, { recursive: true, force: true });
    await demo.stop();
    await ok.close();
    await failing.close();
    await browser.close();
  }
}

await main();
