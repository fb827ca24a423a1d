import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { STATUS_CODES, type ApiErrorBody } from './api-error.js';
import { describeFrameworkError } from './api-exception.filter.js';

/**
 * SPEC §8: the console's pages allow only their own scripts, styles and connections, can't be framed,
 * and no inline script, style attribute or event handler runs (templates use classes and
 * views/static/app.js only).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** On every response (SPEC §8), the API's too where they cost nothing: no MIME sniffing, no full URLs in Referer to other sites, the CSP, no framing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
};

/** Deepest nesting of arrays and objects a JSON body may have; Pulse's own bodies need a handful. */
export const MAX_JSON_DEPTH = 32;

/**
 * The rules every HTTP response follows, whoever produced it (a Nest controller, the beat routes on
 * Fastify, Fastify's router or body parser, Node's HTTP parser): the security headers, and errors as
 * {"error","message"}. Installed once on the Fastify instance by createHttpAdapter.
 */
export function installResponseRules(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    done(null, reply.statusCode >= 400 ? errorInApiShape(reply, payload) : payload);
  });
}

/**
 * Errors Fastify's router raises before any route or hook runs (a malformed URL, a path parameter
 * longer than maxParamLength); no hook runs for these answers, so they carry the headers themselves.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  void reply
    .code(status)
    .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })
    .send(describeFrameworkError({ statusCode: status, code: error.code, message: error.message }));
}

/** Requests Node's HTTP parser refuses (bad framing, headers too large, too slow): answered on the socket itself. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, body]: [number, ApiErrorBody] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, { error: 'request_timeout', message: 'The request took too long to arrive.' }]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, { error: 'headers_too_large', message: 'The request headers are too large.' }]
        : [400, { error: 'bad_request', message: 'The request is not valid HTTP/1.1.' }];
  if (socket.writable) {
    const text = JSON.stringify(body);
    const headers = Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n` +
        `cache-control: no-store\r\n${headers.join('')}connection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Fastify's JSON parser (with its prototype-poisoning checks) plus a depth limit, so a body nested
 * thousands of levels deep is a 400 here instead of a stack overflow in validation later.
 */
export function depthLimitedJsonParser(fastify: FastifyInstance) {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: Buffer | string, done: (error: Error | null, value?: unknown) => void): void => {
    parse(request, body.toString(), (error: Error | null, value?: unknown) => {
      if (error) return done(error);
      if (nestingDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        return done(
          Object.assign(new Error(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`), {
            statusCode: 400,
            code: 'PULSE_JSON_TOO_DEEP',
          }),
        );
      }
      done(null, value);
    });
  };
}

/** How deeply arrays and objects nest in a parsed JSON value, counted without recursion, up to `limit` + 1. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, here]);
  }
  return deepest;
}

/**
 * An error body that is not {"error","message"} (Fastify's `{"statusCode","error","message"}`, or
 * any other) is rewritten into that shape; bodies already in it pass as they are.
 */
function errorInApiShape(reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return payload;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return payload;
  const fields = body as Record<string, unknown>;
  const keys = Object.keys(fields);
  // Pulse's own error bodies may say more (`fields`, /readyz's `checks`); Fastify's carry a `statusCode`.
  const inShape = typeof fields.error === 'string' && typeof fields.message === 'string' && !keys.includes('statusCode');
  if (inShape) return payload;
  const status = reply.statusCode;
  const message = typeof fields.message === 'string' ? fields.message : (STATUS_CODES[status] ?? 'error');
  return JSON.stringify({
    error: STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'),
    message,
  } satisfies ApiErrorBody);
}
