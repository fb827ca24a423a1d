import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { describeNetworkError } from '../plugin-host/network-errors.js';
import { StartupError, EXIT_CONFIG } from '../runtime/startup-error.js';

export interface ServerClientOptions {
  /** The server's URL as configured (`https://pulse.example.com/`, a sub-path allowed). */
  server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  /** PEM file of the CA(s) to verify the server with, instead of the system's ("" or undefined = system CAs). */
  caFile?: string;
  /** Skip verifying the server's certificate (the config loader warns about it at every start). */
  insecureSkipVerify?: boolean;
  /** `lillydoo-pulse-poller/0.1.0`. */
  userAgent: string;
  /** Default time for a whole request, connect to last byte (10 s). */
  timeoutMs?: number;
  /** Larger answers are cut off as an error (64 MiB). */
  maxResponseBytes?: number;
}

export interface LinkRequest {
  /** A JSON value (serialised here) or text already serialised as JSON. */
  json?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Abandons the request (shutting down): it rejects as unreachable with code `aborted`. */
  signal?: AbortSignal;
}

/** The server answered (any status). */
export interface LinkResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * The server did not answer: refused, unreachable, timed out, or TLS failed. `message` says it in words
 * an operator understands (`connection refused`, `TLS: self-signed certificate; set ca_file …`).
 */
export class ServerUnreachable extends Error {
  override name = 'ServerUnreachable';
  constructor(
    message: string,
    /** The socket or TLS error code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`), or `timeout`. */
    readonly code: string,
    /** A TLS verification problem: waiting will not fix it, the configuration must change. */
    readonly tls: boolean,
  ) {
    super(message);
  }
}

/** Anything that can carry a request to the server: the real client, or a stand-in in policy specs. */
export interface LinkTransport {
  request(method: string, path: string, request?: LinkRequest): Promise<LinkResponse>;
}

const TLS_VERIFY_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/**
 * The remote roles' HTTP client for the server: bearer token, the server's TLS verified against the system
 * CAs or `ca_file`, JSON in and out, a timeout on every request, keep-alive connections. It never changes
 * the scheme it was given (no fallback from https to http) and never follows a redirect, so a token is
 * only ever sent where the configuration says.
 */
export class ServerClient implements LinkTransport {
  /** The server URL with a trailing slash: request paths are resolved below it (a sub-path is kept). */
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly module: typeof http | typeof https;

  constructor(private readonly options: ServerClientOptions) {
    const base = new URL(options.server);
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new StartupError(`server = "${options.server}": must be an http:// or https:// URL`, { exitCode: EXIT_CONFIG });
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.base = base;
    if (base.protocol === 'https:') {
      let ca: Buffer | undefined;
      if (options.caFile) {
        try {
          ca = readFileSync(options.caFile);
        } catch (error) {
          throw new StartupError(`ca_file = "${options.caFile}": cannot read it (${(error as Error).message})`, { exitCode: EXIT_CONFIG });
        }
      }
      this.module = https;
      this.agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca, rejectUnauthorized: !options.insecureSkipVerify });
    } else {
      this.module = http;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    }
  }

  /** `https://pulse.example.com` — for log lines (never with the path's query or the token). */
  get origin(): string {
    return this.base.origin;
  }

  /** The full URL of an API path (`/api/poller/tasks` → below the configured base). */
  urlOf(path: string): URL {
    return new URL(path.replace(/^\/+/, ''), this.base);
  }

  request(method: string, path: string, request: LinkRequest = {}): Promise<LinkResponse> {
    const url = this.urlOf(path);
    const body = request.json === undefined ? undefined : typeof request.json === 'string' ? request.json : JSON.stringify(request.json);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent,
      authorization: `Bearer ${this.options.token}`,
      ...request.headers,
    };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const maxBytes = this.options.maxResponseBytes ?? 64 * 1024 * 1024;
    return new Promise<LinkResponse>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', abort);
      };
      const fail = (error: ServerUnreachable) => {
        if (settled) return;
        finish();
        outgoing.destroy();
        reject(error);
      };
      const abort = () => fail(new ServerUnreachable('the request was abandoned (shutting down)', 'aborted', false));
      const outgoing = this.module.request(url, { method, headers, agent: this.agent }, (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes)
            fail(new ServerUnreachable(`the answer to ${method} ${url.pathname} is larger than ${maxBytes} bytes`, 'EMSGSIZE', false));
          else chunks.push(chunk);
        });
        incoming.on('error', (error: NodeJS.ErrnoException) => fail(this.unreachable(error)));
        incoming.on('end', () => {
          if (settled) return;
          finish();
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if (/\bjson\b/i.test(String(incoming.headers['content-type'] ?? ''))) {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text, json });
        });
      });
      timer = setTimeout(
        () =>
          fail(
            new ServerUnreachable(
              `no answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`,
              'timeout',
              false,
            ),
          ),
        timeoutMs,
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => fail(this.unreachable(error)));
      if (request.signal?.aborted) return abort();
      request.signal?.addEventListener('abort', abort, { once: true });
      outgoing.end(body);
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private unreachable(error: NodeJS.ErrnoException): ServerUnreachable {
    const code = error.code ?? 'ERROR';
    const tls = TLS_VERIFY_CODES.has(code);
    let message = describeNetworkError(error, this.base.hostname);
    if (tls)
      message += this.options.caFile
        ? ` (verified against ca_file ${this.options.caFile}; is it the CA that signed the server's certificate?)`
        : '; set ca_file to the PEM file of the CA that signed the server certificate';
    return new ServerUnreachable(message, code, tls);
  }
}

/** An answer's `message` (Pulse's `{"error","message"}` body), or its status line when it has none. */
export function answerMessage(response: LinkResponse): string {
  const json = response.json as { message?: unknown; error?: unknown } | undefined;
  if (json && typeof json.message === 'string') return json.message;
  const text = response.text.trim().slice(0, 200);
  return text ? `HTTP ${response.status}: ${text}` : `HTTP ${response.status}`;
}
