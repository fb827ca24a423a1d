import type { ServerConfig } from '../config/config.schema.js';

/** A link into the console for alerts, built from `public_url` (which may carry a sub-path); null without it. */
export function consoleLink(config: ServerConfig, path: string): string | null {
  if (!config.public_url) return null;
  const base = config.public_url.endsWith('/') ? config.public_url : `${config.public_url}/`;
  return new URL(path.replace(/^\/+/, ''), base).toString();
}
