import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { WatchedPage } from '../peers/browser.js';

/** The start of the console's Content-Security-Policy: no script but Pulse's own files. */
const CONSOLE_CSP = "default-src 'self'; script-src 'self'";

/** Opens `baseUrl + path` in `page`, checking it answered 200 with the console's CSP header. */
export async function visitWithCsp(page: Page, baseUrl: string, path: string): Promise<void> {
  const response = await page.goto(`${baseUrl}${path}`);
  assert.equal(response!.status(), 200, path);
  assert.ok(response!.headers()['content-security-policy']?.startsWith(CONSOLE_CSP), `CSP on ${path}`);
}

/** Fails when an injected payload ran, tried to run (a CSP violation) or opened a dialog in `watched`. */
export async function expectNothingRan(watched: WatchedPage): Promise<void> {
  const seen = await watched.page.evaluate(() => {
    const all = globalThis as unknown as { __xss?: number; __csp?: string[] };
    return { xss: all.__xss, csp: all.__csp };
  });
  assert.equal(seen.xss, undefined, 'no injected script ran');
  assert.deepEqual(seen.csp, [], 'no CSP violation: nothing injected even tried to run');
  assert.deepEqual(watched.alerts, []);
}
