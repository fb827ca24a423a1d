/**
 * `npm run screenshots`: starts a Pulse server on a throw-away data directory, seeds it through the API,
 * and has Debian's Chromium photograph the console's pages in light and dark into docs/img/. Pages add
 * their shots to SHOTS as they land.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { BrowserPeer } from '../test/peers/browser.js';
import { PulseServer } from '../test/peers/pulse-server.js';
import { freePort } from '../test/support/ports.js';
import { demoConfig, demoReceiver, seedHeartbeatHistory, seedThroughApi } from './demo-pages-seed.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = path.join(root, 'docs', 'img');

interface Shot {
  name: string;
  signedIn: boolean;
  /** The whole page rather than the first screen of it. */
  fullPage?: boolean;
  /** Brings the page into the state to photograph. */
  prepare(page: Page, baseUrl: string): Promise<void>;
}

const SHOTS: Shot[] = [
  {
    name: 'console-sign-in',
    signedIn: false,
    prepare: async (page, baseUrl) => {
      await page.goto(`${baseUrl}/sign-in`);
    },
  },
  {
    name: 'console-tokens',
    signedIn: true,
    prepare: async (page, baseUrl) => {
      await page.goto(`${baseUrl}/tokens`);
      await page.fill('#token-name', 'backup jobs (heartbeats)');
      await page.selectOption('#token-type', 'ingest');
      await page.click('#token-create button[type=submit]');
      await page.locator('#token-secret').waitFor();
      await page.locator('#token-name').blur();
    },
  },
  {
    name: 'console-heartbeats',
    signedIn: true,
    prepare: async (page, baseUrl) => {
      await page.goto(`${baseUrl}/heartbeats`);
      await page.locator('#service-backup\\.nightly\\.db-01').waitFor();
    },
  },
  {
    name: 'console-heartbeat-service',
    signedIn: true,
    prepare: async (page, baseUrl) => {
      await page.goto(`${baseUrl}/heartbeats/services/etl.orders.hourly`);
    },
  },
  {
    name: 'console-alarms',
    signedIn: true,
    prepare: async (page, baseUrl) => {
      await page.goto(`${baseUrl}/alarms`);
    },
  },
  {
    name: 'console-alerts',
    signedIn: true,
    fullPage: true,
    prepare: async (page, baseUrl) => {
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
    prepare: async (page, baseUrl) => {
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
    prepare: async (page, baseUrl) => {
      await page.goto(`${baseUrl}/maintenance`);
    },
  },
  {
    name: 'console-maintenance-form',
    signedIn: true,
    prepare: async (page, baseUrl) => {
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
    prepare: async (page, baseUrl) => {
      await page.goto(`${baseUrl}/settings?show=changed`);
    },
  },
];

async function seed(server: PulseServer, admin: string): Promise<void> {
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

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const browser = await BrowserPeer.launch();
  try {
    for (const colorScheme of ['light', 'dark'] as const) {
      // A fresh server per scheme, so both show the same data. Heartbeat history is written while it is
      // stopped (beats cannot come from the past); the mail channel points at a closed port, so its
      // deliveries fail and retry as they would with a mail server down.
      const mailPort = await freePort();
      const first = await PulseServer.start({ config: demoConfig(mailPort) });
      const admin = first.adminToken!;
      await first.stop();
      seedHeartbeatHistory(first.dataDir, Date.now());
      const server = await PulseServer.start({ config: demoConfig(mailPort), dataDir: first.dataDir });
      const ok = await demoReceiver(200, 'ok');
      const failing = await demoReceiver(502, 'Bad Gateway: the Teams connector did not answer within 30 s');
      try {
        await seed(server, admin);
        await seedThroughApi(server, admin, { ok: ok.url, failing: failing.url });
        for (const shot of SHOTS) {
          const context = await browser.context({ colorScheme });
          const page = await context.newPage();
          if (shot.signedIn) {
            await page.goto(`${server.baseUrl}/sign-in`);
            await page.fill('#token', admin);
            await page.click('button[type=submit]');
            await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
          }
          await shot.prepare(page, server.baseUrl);
          const file = path.join(outDir, `${shot.name}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: shot.fullPage ?? false });
          process.stderr.write(`[screenshots] ${path.relative(root, file)}\n`);
          await context.close();
        }
      } finally {
        await server.stop();
        await first.dispose();
        await ok.close();
        await failing.close();
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
