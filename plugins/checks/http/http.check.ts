import { Injectable } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  Check,
  describeNetworkError,
  noAnswer,
  roundMs,
  type CheckPlugin,
  type CheckResult,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { HttpConfig } from './http.config.js';
import { httpForm } from './http.form.js';

/** The body is read up to this size for keyword checks; the rest is not downloaded. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'LILLYDOO-Pulse';

interface Answer {
  statusCode: number;
  location: string | undefined;
  body: Buffer;
  bodyBytes: number;
  truncated: boolean;
  firstByteMs: number;
}

/**
 * One HTTP(S) request (plus redirects): the status code, keyword and latency decide up / warning / down.
 * node:http rather than fetch, because fetch cannot ignore TLS errors per request and hides redirects.
 */
@Check({
  id: 'http',
  title: 'HTTP(S)',
  config: HttpConfig,
  example: { method: 'GET', accepted_codes: ['200-299'], keyword: 'Welcome', max_latency_ms: 2000 },
  target: { label: 'URL', placeholder: 'https://www.example.com/health' },
  form: httpForm,
})
@Injectable()
export class HttpCheck implements CheckPlugin<HttpConfig> {
  validateTarget(target: string): string | null {
    return parseHttpUrl(target) ? null : 'must be an http:// or https:// URL with a host, e.g. "https://www.example.com/health"';
  }

  async run(target: string, config: HttpConfig, context: PluginContext): Promise<CheckResult> {
    let url = parseHttpUrl(target);
    if (!url) return { status: 'down', latencyMs: null, message: `invalid target "${target}"` };
    let method: string = config.method;
    let body = config.body;
    const started = performance.now();
    let redirects = 0;
    for (;;) {
      let answer: Answer;
      try {
        answer = await request(url, method, body, config, context, started);
      } catch (error) {
        const message = context.signal.aborted
          ? noAnswer(context).message
          : describeNetworkError(error as NodeJS.ErrnoException, url.hostname);
        return {
          status: 'down',
          latencyMs: null,
          message,
          details: { url: url.href, redirects, code: (error as NodeJS.ErrnoException).code },
        };
      }
      if (config.follow_redirects && REDIRECT_CODES.has(answer.statusCode) && answer.location !== undefined) {
        const next = parseHttpUrl(answer.location, url);
        if (!next)
          return down(`HTTP ${answer.statusCode}, redirect to an unsupported location "${answer.location.slice(0, 200)}"`, url, redirects);
        if (redirects >= config.max_redirects) return down(`too many redirects (more than ${config.max_redirects})`, url, redirects);
        redirects++;
        // 303 always, and 301/302 after a POST in practice, continue as GET without a body; 307/308 repeat the request.
        if (answer.statusCode === 303 || ((answer.statusCode === 301 || answer.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = '';
        }
        url = next;
        continue;
      }
      return judge(answer, config, roundMs(performance.now() - started), url, redirects);
    }
  }
}

function down(message: string, url: URL, redirects: number): CheckResult {
  return { status: 'down', latencyMs: null, message, details: { url: url.href, redirects } };
}

function judge(answer: Answer, config: HttpConfig, latencyMs: number, url: URL, redirects: number): CheckResult {
  const details = {
    status_code: answer.statusCode,
    url: url.href,
    redirects,
    body_bytes: answer.bodyBytes,
    body_truncated: answer.truncated,
    first_byte_ms: answer.firstByteMs,
  };
  const seen = `HTTP ${answer.statusCode}`;
  if (!isAccepted(answer.statusCode, config.accepted_codes)) return { status: 'down', latencyMs, message: seen, details };
  if (config.keyword !== '' || config.keyword_absent !== '') {
    const text = answer.body.toString('utf8');
    if (config.keyword !== '' && !text.includes(config.keyword))
      return { status: 'down', latencyMs, message: `${seen}, keyword "${config.keyword}" not found`, details };
    if (config.keyword_absent !== '' && text.includes(config.keyword_absent))
      return { status: 'down', latencyMs, message: `${seen}, keyword "${config.keyword_absent}" found`, details };
  }
  if (config.max_latency_ms > 0 && latencyMs > config.max_latency_ms) {
    return {
      status: 'warning',
      latencyMs,
      message: `${seen}, slow: ${Math.round(latencyMs)} ms (limit ${config.max_latency_ms} ms)`,
      details,
    };
  }
  return { status: 'up', latencyMs, message: seen, details };
}

export function isAccepted(code: number, accepted: string[]): boolean {
  return accepted.some((item) => {
    const [low, high = low] = item.split('-').map(Number) as [number, number?];
    return code >= low && code <= high;
  });
}

export function parseHttpUrl(text: string, base?: URL): URL | null {
  let url: URL;
  try {
    url = new URL(text.trim(), base);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  return url;
}

function request(url: URL, method: string, body: string, config: HttpConfig, context: PluginContext, started: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*', ...config.headers };
    if (body !== '') headers['content-length'] = String(Buffer.byteLength(body));
    const options: https.RequestOptions = {
      method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: false, // a fresh connection each time: the check measures what a new visitor gets
      signal: context.signal,
      ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
      ...(secure ? { rejectUnauthorized: !config.ignore_tls_errors } : {}),
    };
    const outgoing = (secure ? https : http).request(options, (response) => {
      const firstByteMs = roundMs(performance.now() - started);
      const chunks: Buffer[] = [];
      let bodyBytes = 0;
      let settled = false;
      const finish = (truncated: boolean) => {
        if (settled) return;
        settled = true;
        resolve({
          statusCode: response.statusCode ?? 0,
          location: response.headers.location,
          body: Buffer.concat(chunks),
          bodyBytes,
          truncated,
          firstByteMs,
        });
      };
      response.on('data', (chunk: Buffer) => {
        const room = BODY_LIMIT_BYTES - bodyBytes;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        bodyBytes += Math.min(chunk.length, room);
        if (bodyBytes >= BODY_LIMIT_BYTES) {
          finish(true);
          response.destroy();
        }
      });
      response.once('end', () => finish(false));
      response.once('error', (error) => (settled ? undefined : reject(error)));
      response.once('close', () =>
        settled || response.complete
          ? undefined
          : reject(Object.assign(new Error('connection closed before the body ended'), { code: 'ECONNRESET' })),
      );
    });
    outgoing.once('error', reject);
    outgoing.end(body === '' ? undefined : body);
  });
}
