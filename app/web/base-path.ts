/**
 * The console's base path: `/` normally, the path of `public_url` behind a reverse proxy at a sub-path
 * (`https://host/monitoring/pulse/` → `/monitoring/pulse/`). Every link, form action, redirect, cookie path,
 * static file and htmx/SSE request is built from it, so the console works at any depth.
 */
export function basePathOf(publicUrl: string): string {
  if (!publicUrl) return '/';
  const path = new URL(publicUrl).pathname;
  return path.endsWith('/') ? path : `${path}/`;
}

/** `consoleUrl('/monitoring/pulse/', 'tokens')` → `/monitoring/pulse/tokens`; a leading slash is allowed. */
export function consoleUrl(basePath: string, path = ''): string {
  return `${basePath}${path.replace(/^\/+/, '')}`;
}

/**
 * A request path with the base path taken off, for proxies that pass the prefix through
 * (`proxy_pass http://pulse;` without a URI part) and for people who open the server directly at a URL
 * the console printed. Paths without the prefix are left as they are.
 */
export function stripBasePath(basePath: string, url: string): string {
  if (basePath === '/') return url;
  const prefix = basePath.slice(0, -1);
  if (url === prefix) return '/';
  if (url.startsWith(`${prefix}?`)) return `/${url.slice(prefix.length)}`;
  if (url.startsWith(basePath)) return `/${url.slice(basePath.length)}`;
  return url;
}

/** The console page a path names, or null when it points elsewhere (a `next` parameter from a query string). */
export function safeNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 512) return null;
  // A path inside the console only: no scheme, no host, no "//" or "\" tricks, no dot segments.
  if (!/^[A-Za-z0-9_\-/.?=&%]*$/.test(next) || next.startsWith('/') || next.includes('//') || /(^|\/)\.\.?(\/|$|\?)/.test(next)) return null;
  return next;
}
