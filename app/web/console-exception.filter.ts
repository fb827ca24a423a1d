import { Catch, Injectable, Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExceptionFilter } from '../http/api-exception.filter.js';
import { ConsoleRenderer, ConsoleResponse } from './console-renderer.js';
import { ConsoleSessionResolver, type ConsoleRequest } from './console-session.resolver.js';
import { ConsoleSite } from './console-site.js';
import { safeNextPath } from './base-path.js';

const TITLES: Record<number, string> = {
  400: 'That request was not understood',
  403: 'Refused',
  404: 'Page not found',
  409: 'Not possible right now',
  429: 'Too many attempts',
};

/**
 * Errors of console routes (bound to every @ConsoleController): no session → the sign-in page, other errors
 * as a page or, for htmx, a message in the page's alert area. Also sends the finished responses the view
 * interceptor hands over (ConsoleResponse).
 */
@Catch()
@Injectable()
export class ConsoleExceptionFilter extends ApiExceptionFilter {
  private readonly log = new Logger('HTTP');

  constructor(
    private readonly renderer: ConsoleRenderer,
    private readonly site: ConsoleSite,
    private readonly sessions: ConsoleSessionResolver,
  ) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ConsoleResponse) return exception.send(reply);
    this.render(exception, host.switchToHttp().getRequest<ConsoleRequest>(), reply, false);
  }

  /** A page for a path no route matches; signed-in people get it with their sidebar. */
  async renderNotFound(exception: unknown, request: ConsoleRequest, reply: FastifyReply): Promise<void> {
    if (request.method === 'GET') await this.sessions.resolve(request).catch(() => null);
    this.render(exception, request, reply, true);
  }

  render(exception: unknown, request: ConsoleRequest, reply: FastifyReply, noRoute: boolean): void {
    const { status, body, headers } = this.describe(exception, request);
    if (status === 401) {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const next = request.method === 'GET' ? safeNextPath(this.site.pagePath(request) + query) : null;
      return this.renderer.redirect(request, next ? `sign-in?next=${encodeURIComponent(next)}` : 'sign-in').send(reply);
    }
    if (status >= 500) this.log.error(`${request.method} ${request.url.split('?')[0]} failed`, (exception as Error)?.stack);
    const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'That did not work');
    const message = noRoute ? 'There is no page at this address.' : body.message;
    const response = this.renderer.error(request, status, title, message);
    void reply
      .status(response.status)
      .headers({ ...response.headers, ...headers })
      .send(response.body);
  }
}

/**
 * The server's global filter: API routes keep their JSON errors; a path that matches no route gets the
 * console's friendly 404 page when a browser asks for HTML outside /api/.
 */
@Catch()
@Injectable()
export class SiteExceptionFilter extends ApiExceptionFilter {
  constructor(private readonly console: ConsoleExceptionFilter) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<ConsoleRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ConsoleResponse) return exception.send(reply);
    const path = request.url.split('?')[0]!;
    const wantsPage = !/^\/api(\/|$)/.test(path) && (request.headers.accept ?? '').includes('text/html');
    if (wantsPage && exception instanceof NotFoundException) return void this.console.renderNotFound(exception, request, reply);
    super.catch(exception, host);
  }
}
