import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Cross-site request forgery defences for the console (SPEC §8): every state-changing request carries a
 * CSRF token (htmx sends it in a header set on <body>, plain forms in a hidden field) and comes from the
 * console's own origin. The token is derived from the session id, so it needs no storage, differs for
 * every session and cannot be guessed without the (HttpOnly) session cookie.
 */
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('pulse console csrf v1').digest('base64url');
}

/** Constant-time equality of two tokens; anything not a non-empty string never matches. */
export function tokensMatch(expected: string, candidate: unknown): boolean {
  if (typeof candidate !== 'string' || candidate === '' || expected === '') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(candidate);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request sent: the header (htmx) or the hidden form field (plain forms). */
export function submittedCsrfToken(headers: Record<string, string | string[] | undefined>, body: unknown): string | undefined {
  const header = headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const field = (body as Record<string, unknown>)[CSRF_FIELD];
    if (typeof field === 'string') return field;
  }
  return undefined;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * A state-changing request must come from one of the console's own origins: `Origin` equal to one of
 * them when the browser sent it, else `Sec-Fetch-Site: same-origin` (or `none`, a person typing); a
 * request with neither header is refused, as is any `Sec-Fetch-Site` naming another site.
 */
export function checkSameOrigin(headers: Record<string, string | string[] | undefined>, allowedOrigins: readonly string[]): OriginVerdict {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    return { ok: false, reason: `Sec-Fetch-Site is "${site}"` };
  }
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== '') {
    if (origin === 'null') return { ok: false, reason: 'Origin is "null"' };
    return allowedOrigins.includes(origin.toLowerCase()) ? { ok: true } : { ok: false, reason: `Origin ${origin} is not this console` };
  }
  if (site === 'same-origin' || site === 'none') return { ok: true };
  return { ok: false, reason: 'neither Origin nor Sec-Fetch-Site was sent' };
}

/** `https://host:8443` from a URL, lower-cased, default ports dropped (how browsers write Origin). */
export function originOf(url: string): string {
  return new URL(url).origin.toLowerCase();
}
