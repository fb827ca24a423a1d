/**
 * `npm run bench:console`: how fast the console answers with 10 and with 10,000 monitors, and how soon a
 * state change reaches an open dashboard.
 *
 *   - The database is seeded before the server starts (monitors, and 7 days of minute and hour buckets
 *     for the monitors the pages show: the down ones, which the dashboard lists first, and the first 50 by
 *     name), then the server runs every monitor for real: a TCP check every 60 s against a listener of
 *     this bench (1 in 100 against a closed port, so down).
 *   - TTFB (time to the response headers) p50 / p95 of the dashboard, the monitors list and a monitor
 *     page, signed in, over REQUESTS sequential requests after a warm-up.
 *   - The delay from a state change to Chromium showing it, FLIPS times: an HTTP monitor (every 5 s) whose
 *     target this bench flips between 200 and 503, watched on its open monitor page (every change) and on
 *     an open dashboard (the changes to down). Measured from the server's state change (its log line's
 *     time) and from the flip itself (which includes waiting for the next check).
 *
 * Targets (issue 10): dashboard p95 < 200 ms at 10,000 monitors and under twice its time at 10; a change
 * seen within 2 s. Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dataSourceOptions } from '../../app/database/data-source-options.js';
import { openDataSource } from '../../app/database/open-data-source.js';
import type { Page } from 'playwright-core';
import { BrowserPeer } from '../peers/browser.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { ConsoleClient } from '../support/console-client.js';
import { quietLogger } from '../support/databases.js';
import { waitUntil } from '../support/wait.js';

/** Monitor counts to measure (`npm run bench:console -- 10000` for one). */
const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10, 10_000];
const REQUESTS = 200;
const WARM_UP = 20;
const FLIPS = 8;
const HISTORY_DAYS = 7;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The dashboard's first page: the down monitors it lists first get history. */
const DASHBOARD_ROWS = 20;

const nameOf = (index: number) => `m-${String(index).padStart(5, '0')}`;
const isDown = (index: number) => index % 100 === 0;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Rows straight into SQLite with better-sqlite3 (the seed is millions of rows; TypeORM is for the server). */
function insertRows(file: string, table: string, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const database = new Database(file);
  try {
    const columns = Object.keys(rows[0]!);
    const insert = database.prepare(
      `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    database.transaction(() => {
      for (const row of rows) insert.run(...columns.map((column) => row[column] as string | number | null));
    })();
  } finally {
    database.close();
  }
}

/**
 * Monitors and, for the ones the pages show (the dashboard's first page lists the down ones first, the
 * list its first 50 by name), 7 days of minute and hour buckets: the monitor's and its public source's.
 */
async function seed(dataDir: string, count: number, openPort: number): Promise<void> {
  const file = path.join(dataDir, 'pulse.db');
  const dataSource = await openDataSource(
    dataSourceOptions({ kind: 'sqlite', file }, { logger: quietLogger, nativeCacheDir: os.tmpdir() }),
  );
  await dataSource.destroy(); // migrated: the schema is the server's
  const now = Date.now();
  const since = now - HISTORY_DAYS * 24 * HOUR;
  const monitors: Record<string, unknown>[] = [];
  for (let index = 0; index < count; index++) {
    monitors.push({
      id: index + 1,
      name: nameOf(index),
      type: 'port',
      target: `127.0.0.1:${isDown(index) ? 9 : openPort}`,
      interval_s: 60,
      timeout_s: 5,
      retries: 0,
      quorum: null,
      pollers: '[]',
      alerts: '[]',
      options: '{}',
      paused: 0,
      status: isDown(index) ? 'down' : 'up',
      status_message: isDown(index) ? 'connection refused' : `port ${openPort} open`,
      last_change_at: now - 3 * HOUR,
      incident_number: isDown(index) ? 1 : 0,
      created_at: since,
      updated_at: since,
    });
  }
  insertRows(file, 'monitors', monitors);
  const downIds = Array.from({ length: count }, (_, index) => index)
    .filter(isDown)
    .slice(0, DASHBOARD_ROWS);
  const shown = new Set<number>(
    [...downIds, ...Array.from({ length: Math.min(50, count) }, (_, index) => index)].map((index) => index + 1),
  );
  const buckets: Record<string, unknown>[] = [];
  const sourceBuckets: Record<string, unknown>[] = [];
  for (const id of shown) {
    const down = isDown(id - 1);
    for (const [period, step] of [
      ['minute', MINUTE],
      ['hour', HOUR],
    ] as const) {
      for (let start = Math.floor(since / step) * step; start <= now; start += step) {
        const checks = step / MINUTE;
        const latency = 2 + Math.sin(start / (6 * HOUR) + id) + Math.random();
        const figures = {
          checks,
          down_checks: down ? checks : 0,
          latency_count: down ? 0 : checks,
          latency_sum_ms: down ? 0 : latency * checks,
          latency_min_ms: down ? null : latency * 0.8,
          latency_max_ms: down ? null : latency * 1.5,
        };
        buckets.push({
          monitor_id: id,
          period,
          bucket_start: start,
          up_ms: down ? 0 : step,
          warning_ms: 0,
          down_ms: down ? step : 0,
          maintenance_ms: 0,
          ...figures,
          latency_p95_ms: down ? null : latency * 1.4,
        });
        sourceBuckets.push({ monitor_id: id, source: 'public', period, bucket_start: start, ...figures });
      }
    }
  }
  insertRows(file, 'monitor_buckets', buckets);
  insertRows(file, 'monitor_source_buckets', sourceBuckets);
  process.stderr.write(`[bench] seeded ${count} monitors, ${buckets.length} buckets for the ${shown.size} shown ones\n`);
}

/** Times to the response headers of `path` (with a body read to the end each time), after a warm-up. */
async function ttfb(user: ConsoleClient, baseUrl: string, page: string): Promise<{ p50: number; p95: number; bytes: number }> {
  const cookie = `pulse_session=${user.sessionCookie}`;
  const times: number[] = [];
  let bytes = 0;
  for (let run = 0; run < WARM_UP + REQUESTS; run++) {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/${page}`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
    const headersAt = performance.now();
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${page}: HTTP ${response.status}`);
    bytes = body.length;
    if (run >= WARM_UP) times.push(headersAt - started);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), bytes };
}

/** Records, in the page, every change of the text `selector` shows, with the time the page saw it. */
async function watchText(page: Page, selector: string): Promise<void> {
  await page.evaluate(`(() => {
    window.__seen = [];
    let last = '';
    new MutationObserver(() => {
      const element = document.querySelector(${JSON.stringify(selector)});
      const text = element ? element.textContent.trim() : '';
      // Gone (a row that left the dashboard's first page) counts as a change: back as Down is seen again.
      if (text !== last) { last = text; if (text) window.__seen.push({ text, at: Date.now() }); }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
}

/** When the page first saw `text` at or after `since`. */
async function seenAt(page: Page, label: string, text: string, since: number): Promise<number> {
  try {
    return await waitUntil(
      `the ${label} to show ${text}`,
      async () =>
        ((await page.evaluate('window.__seen')) as { text: string; at: number }[]).find((entry) => entry.text === text && entry.at >= since)
          ?.at,
      30_000,
    );
  } catch (error) {
    // What the page went through and shows instead, to tell a missed event from a slow one.
    const seen = await page.evaluate('JSON.stringify(window.__seen)').catch(() => 'gone');
    const rows = await page.evaluate(
      `[...document.querySelectorAll('tr[id^="monitor-row-"]')].slice(0, 3).map((row) => row.id + ' ' + row.querySelector('.state')?.textContent.trim()).join(', ')`,
    );
    throw new Error(`${(error as Error).message}; seen ${String(seen)}; first rows: ${String(rows)}; url ${page.url()}`);
  }
}

/**
 * Delay from a state change to open pages showing it, FLIPS times: the monitor's page (every change) and
 * the dashboard (the changes to down: with 100 monitors down at 10,000, an up one is not on its first page).
 */
async function liveDelays(server: PulseServer, admin: string, browser: BrowserPeer) {
  const receiver = await HttpReceiver.start();
  const created = await server.request('POST', '/api/monitors', {
    token: admin,
    json: { name: '0-flip', type: 'http', target: `${receiver.url}/`, interval: 5, retries: 0 },
  });
  const id = created.json.id as number;
  const context = await browser.context();
  const delays = { monitorPage: [] as number[], dashboard: [] as number[], fromFlip: [] as number[] };
  try {
    const monitorPage = await context.newPage();
    await monitorPage.goto(`${server.baseUrl}/sign-in`);
    await monitorPage.fill('#token', admin);
    await monitorPage.click('button[type=submit]');
    await monitorPage.waitForURL(`${server.baseUrl}/`);
    const dashboard = await context.newPage();
    await dashboard.goto(`${server.baseUrl}/`);
    await monitorPage.goto(`${server.baseUrl}/monitors/${id}`);
    await monitorPage.locator('#monitor-state', { hasText: 'Up' }).waitFor({ timeout: 30_000 });
    await watchText(monitorPage, '#monitor-state');
    await watchText(dashboard, `#monitor-row-${id} .state`);
    for (let flip = 0; flip < FLIPS; flip++) {
      const to = flip % 2 === 0 ? 'Down' : 'Up';
      const logged = server.process.stderr.length;
      const flippedAt = Date.now();
      receiver.status = to === 'Down' ? 503 : 200;
      const line = await waitUntil(
        `the server to log monitor ${id} going ${to.toLowerCase()}`,
        () => new RegExp(`^(\\S+) .*monitor ${id} "0-flip": \\w+ → ${to.toLowerCase()}`, 'm').exec(server.process.stderr.slice(logged)),
        30_000,
      );
      const changedAt = Date.parse(line[1]!);
      const onMonitorPage = await seenAt(monitorPage, 'monitor page', to, flippedAt);
      delays.monitorPage.push(onMonitorPage - changedAt);
      delays.fromFlip.push(onMonitorPage - flippedAt);
      if (to === 'Down') delays.dashboard.push((await seenAt(dashboard, 'dashboard', to, flippedAt)) - changedAt);
    }
  } finally {
    await context.close();
    await receiver.stop();
    await server.request('DELETE', `/api/monitors/${id}`, { token: admin });
  }
  return delays;
}

async function main(): Promise<void> {
  const listener = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const openPort = (listener.address() as net.AddressInfo).port;
  const browser = await BrowserPeer.launch();
  const results: string[] = [];
  try {
    for (const count of SIZES) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-console-'));
      let server: PulseServer | null = null;
      try {
        await seed(dataDir, count, openPort);
        server = await PulseServer.start({ dataDir, config: '[http]\nauth_failures_per_minute = 100000\n' });
        await server.process.waitForOutput(/monitor\(s\) loaded/, 60_000);
        const admin = server.adminToken!;
        // Steady state: the first round of checks (spread over the 60 s interval) has given every monitor
        // its state, so the figures are not those of 10,000 state changes in a minute.
        await waitUntil(
          'every monitor checked once',
          async () => (await server!.request('GET', '/api/monitors?status=pending&per_page=1', { token: admin })).json?.total === 0,
          300_000,
        );
        const user = new ConsoleClient(`${server.baseUrl}/`);
        await user.signIn(admin);
        const pages = { dashboard: '', 'monitors list': 'monitors', 'monitor page': 'monitors/1' };
        for (const [label, page] of Object.entries(pages)) {
          const figures = await ttfb(user, server.baseUrl, page);
          results.push(
            `${String(count).padStart(6)} monitors  ${label.padEnd(14)} TTFB p50 ${ms(figures.p50).padStart(9)}  p95 ${ms(figures.p95).padStart(9)}  (${Math.round(figures.bytes / 1024)} KiB)`,
          );
          process.stderr.write(`[bench] ${results[results.length - 1]}\n`);
        }
        const delays = await liveDelays(server, admin, browser);
        const figures = (values: number[]) => `p50 ${ms(percentile(values, 50))}, max ${ms(Math.max(...values))}`;
        results.push(
          `${String(count).padStart(6)} monitors  state change → monitor page: ${figures(delays.monitorPage)}; → dashboard (to down): ${figures(delays.dashboard)} ` +
            `(from the target's flip, next check included: ${figures(delays.fromFlip)}; ${FLIPS} changes)`,
        );
        process.stderr.write(`[bench] ${results[results.length - 1]}\n`);
      } finally {
        await server?.stop();
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(`${dataDir}.toml`, { force: true });
      }
    }
  } finally {
    await browser.close();
    listener.close();
  }
  console.log(
    `\nConsole (${REQUESTS} sequential requests per page after ${WARM_UP} to warm up; ${os.cpus().length} CPUs)\n${results.join('\n')}`,
  );
}

await main();
