/**
 * `npm run screenshots`: runs a demo installation (scripts/demo-installation.ts: monitors against real
 * servers on loopback with months of history, heartbeats and alarms, tokens), and has Debian's Chromium
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
import { waitUntil } from '../test/support/wait.js';
import { DemoInstallation } from './demo-installation.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = path.join(root, 'docs', 'img');

interface Demo {
  baseUrl: string;
  /** Monitor ids by name. */
  monitors: Map<string, number>;
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

/** Makes the demo's data directory once: tokens, monitors (checked once for real), heartbeats. */
async function prepareDemo(demo: DemoInstallation, dataDir: string) {
  const server = await PulseServer.start({ dataDir });
  let made;
  try {
    const admin = server.adminToken!;
    await seedTokens(server, admin);
    const ids = await demo.addMonitors(server, admin);
    await demo.addHeartbeats(server, admin);
    const listed = await server.request('GET', '/api/monitors', { token: admin });
    const monitors = new Map<string, number>(
      (listed.json.monitors as { id: number; name: string }[]).map((monitor) => [monitor.name, monitor.id]),
    );
    made = { admin, ids, monitors };
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
  try {
    const { admin, ids, monitors } = await prepareDemo(demo, template);
    for (const colorScheme of ['light', 'dark'] as const) {
      // A fresh copy per scheme, so both show the same data.
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-demo-'));
      cpSync(template, dataDir, { recursive: true });
      // History up to this moment: the server takes the latest results as fresh and keeps each state's start.
      demo.writeHistory(dataDir, ids);
      const server = await PulseServer.start({ dataDir });
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
          await shot.prepare(page, { baseUrl: server.baseUrl, monitors });
          const file = path.join(outDir, `${shot.name}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: shot.fullPage ?? false });
          process.stderr.write(`[screenshots] ${path.relative(root, file)}\n`);
          await context.close();
        }
      } finally {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(template, { recursive: true, force: true });
    await demo.stop();
    await browser.close();
  }
}

await main();
