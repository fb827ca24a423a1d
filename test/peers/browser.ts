import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Dialog, type Page } from 'playwright-core';

export const CHROMIUM_BINARY = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A page plus what the test watches on it: dialogs (alerts from an injected script would land here) and console errors. */
export interface WatchedPage {
  page: Page;
  /** Every alert/prompt/beforeunload dialog the page opened; confirm dialogs are accepted and counted apart. */
  alerts: string[];
  confirms: string[];
  /** Console errors and CSP violations the page reported. */
  errors: string[];
}

/**
 * Debian's Chromium driven by playwright-core (no downloaded browser). Each launch gets a fresh profile
 * (playwright makes a temporary --user-data-dir and removes it); each context is an isolated browser
 * session with its own cookies. close() ends the browser process.
 */
export class BrowserPeer {
  private constructor(readonly browser: Browser) {}

  static available(): boolean {
    return existsSync(CHROMIUM_BINARY);
  }

  static async launch(): Promise<BrowserPeer> {
    if (!BrowserPeer.available()) throw new Error(`${CHROMIUM_BINARY} not found (apt-get install chromium)`);
    const browser = await chromium.launch({ executablePath: CHROMIUM_BINARY, headless: true, args: ARGS, timeout: 60_000 });
    return new BrowserPeer(browser);
  }

  async context(options: { colorScheme?: 'light' | 'dark'; origin?: string } = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext({ colorScheme: options.colorScheme ?? 'light', viewport: { width: 1280, height: 800 } });
    if (options.origin) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.origin });
    context.setDefaultTimeout(15_000);
    return context;
  }

  async page(context: BrowserContext): Promise<WatchedPage> {
    const page = await context.newPage();
    const watched: WatchedPage = { page, alerts: [], confirms: [], errors: [] };
    page.on('dialog', (dialog: Dialog) => {
      if (dialog.type() === 'confirm') {
        watched.confirms.push(dialog.message());
        void dialog.accept();
      } else {
        watched.alerts.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      }
    });
    page.on('console', (message) => {
      if (message.type() === 'error') watched.errors.push(message.text());
    });
    page.on('pageerror', (error) => watched.errors.push(error.message));
    return watched;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
