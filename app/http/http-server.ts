import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { ServerConfig } from '../config/config.schema.js';
import { parseHostPort } from '../config/config-validators.js';
import { basePathOf, stripBasePath } from '../web/base-path.js';
import { answerClientError, answerFrameworkError, depthLimitedJsonParser, installResponseRules } from './response-rules.js';

/**
 * Fastify under Nest (it answers small requests several times faster than express, which heartbeat
 * ingest needs). Forwarded headers are believed only from the configured trusted proxies.
 */
export function createHttpAdapter(config: ServerConfig): FastifyAdapter {
  const proxies = config.http.trusted_proxies;
  const basePath = basePathOf(config.public_url);
  const adapter = new FastifyAdapter({
    // Behind a proxy at a sub-path, requests may arrive with the prefix (proxy_pass without a URI part).
    rewriteUrl: (request: { url?: string }) => stripBasePath(basePath, request.url ?? '/'),
    bodyLimit: config.http.max_body_bytes,
    trustProxy: proxies.length > 0 ? proxies : false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  installResponseRules(fastify);
  // Registered through Nest so that it replaces, rather than competes with, Nest's default JSON parser.
  adapter.useBodyParser('application/json', false, { bodyLimit: config.http.max_body_bytes }, depthLimitedJsonParser(fastify));
  return adapter;
}

/** Where to listen, from `[http] listen` (":5000" listens on every address). */
export function httpListenOptions(config: ServerConfig): { host: string; port: number } {
  const { host, port } = parseHostPort(config.http.listen)!;
  return { host: host === '' ? '::' : host, port };
}
