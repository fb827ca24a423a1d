import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ServerConfig } from '../config/config.schema.js';
import { basePathOf, consoleUrl } from './base-path.js';
import { originOf } from './csrf.js';

/**
 * Where the console lives as the browser sees it: its base path (from `public_url`), its origins and
 * whether a request arrived over HTTPS. `X-Forwarded-Proto`/`-Host`/`-For` count only from `[http]
 * trusted_proxies` (Fastify's trustProxy is set to exactly that list).
 */
@Injectable()
export class ConsoleSite {
  readonly basePath: string;
  private readonly publicOrigin: string | null;

  constructor(config: ServerConfig) {
    this.basePath = basePathOf(config.public_url);
    this.publicOrigin = config.public_url ? originOf(config.public_url) : null;
  }

  /** A console URL under the base path: `url('tokens')` → `/monitoring/pulse/tokens`. */
  url(path = ''): string {
    return consoleUrl(this.basePath, path);
  }

  /** Origins a state-changing request may come from: public_url's, and the one this request was addressed to. */
  allowedOrigins(request: FastifyRequest): string[] {
    const origins = [`${request.protocol}://${request.host}`.toLowerCase()];
    if (this.publicOrigin) origins.push(this.publicOrigin);
    return origins;
  }

  isHttps(request: FastifyRequest): boolean {
    return request.protocol === 'https';
  }

  /** The page path a request is for, relative to the base path, without the query (`tokens`, `` for home). */
  pagePath(request: FastifyRequest): string {
    return request.url.split('?')[0]!.replace(/^\/+/, '');
  }
}
