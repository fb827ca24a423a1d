import type { BrowserContext } from 'playwright-core';
import type { BrowserPeer, WatchedPage } from '../peers/browser.js';
import { NginxPeer } from '../peers/nginx.js';
import { PulseServer } from '../peers/pulse-server.js';
import { freePort } from './ports.js';

/** A running console for browser tests: served directly, or behind nginx at a sub-path. */
export interface ConsoleSite {
  server: PulseServer;
  /** The console URL the browser uses, ending in "/". */
  url: string;
  close(): Promise<void>;
}

const QUIET_LIMITS = '[http]\nauth_failures_per_minute = 1000\n';

export async function directSite(extraConfig = ''): Promise<ConsoleSite> {
  const server = await PulseServer.start({ config: `${extraConfig}\n${QUIET_LIMITS}` });
  return { server, url: `${server.baseUrl}/`, close: () => server.dispose() };
}

/** Pulse behind Debian's nginx at /monitoring/pulse/, with public_url saying so and nginx as the trusted proxy. */
export async function nginxSite(extraConfig = ''): Promise<ConsoleSite> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}/monitoring/pulse/`;
  const server = await PulseServer.start({
    config: `public_url = "${publicUrl}"\n${extraConfig}\n${QUIET_LIMITS}trusted_proxies = ["127.0.0.1"]\n`,
  });
  const nginx = await NginxPeer.start({ port, upstreamPort: Number(new URL(server.baseUrl).port), prefix: '/monitoring/pulse/' }).catch(
    async (error) => {
      await server.dispose();
      throw error;
    },
  );
  return {
    server,
    url: publicUrl,
    close: async () => {
      await nginx.stop();
      await server.dispose();
    },
  };
}

/** A fresh browser session signed in with `token`, on the dashboard. */
export async function signIn(
  browser: BrowserPeer,
  site: ConsoleSite,
  token: string,
): Promise<{ context: BrowserContext; watched: WatchedPage }> {
  const context = await browser.context({ origin: new URL(site.url).origin });
  const watched = await browser.page(context);
  await watched.page.goto(site.url);
  await watched.page.fill('#token', token);
  await watched.page.click('button[type=submit]');
  await watched.page.waitForURL(site.url);
  return { context, watched };
}
