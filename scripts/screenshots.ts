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

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = path.join(root, 'docs', 'img');

interface Shot {
  name: string;
  signedIn: boolean;
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
];

async function seed(server: PulseServer, admin: string): Promise<void> {
  const create = async (name: string, type: string, expires_in_days?: number) =>
    (await server.request('POST', '/api/tokens', { token: admin, json: { name, type, expires_in_days } })).json as { id: number; token: string };
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
      // A fresh server per scheme, so both show the same data.
      const server = await PulseServer.start();
      try {
        const admin = server.adminToken!;
        await seed(server, admin);
        for (const shot of SHOTS) {
          const context = await browser.context({ colorScheme });
          const page = await context.newPage();
          if (shot.signedIn) {
            await page.goto(`${server.baseUrl}/sign-in`);
            await page.fill('#token', admin);
            await page.click('button[type=submit]');
            await page.waitForURL(/\/tokens$/);
          }
          await shot.prepare(page, server.baseUrl);
          const file = path.join(outDir, `${shot.name}-${colorScheme}.png`);
          await page.screenshot({ path: file });
          process.stderr.write(`[screenshots] ${path.relative(root, file)}\n`);
          await context.close();
        }
      } finally {
        await server.dispose();
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
