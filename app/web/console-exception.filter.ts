import { Catch, Injectable, Logger, type ArgumentsHost } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExceptionFilter } from '../http/api-exception.filter.js';
import { ConsolePagesMark } from './console-pages.js';
import { ConsoleRenderer, ConsoleResponse } from './console-renderer.js';
import type { ConsoleRequest } from './console-session.resolver.js';
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
 * The one exception filter of the server. API routes keep their JSON errors (ApiExceptionFilter); console
 * routes answer with HTML: no session → the sign-in page, other errors as a page or an htmx fragment.
 * A path that matches no route gets the friendly 404 page when a browser asks for HTML outside /api/.
 */
@Catch()
@Injectable()
export class ConsoleExceptionFilter extends ApiExceptionFilter {
  private readonly log = new Logger('HTTP');

  constructor(
    private readonly renderer: ConsoleRenderer,
    private readonly site: ConsoleSite,
  ) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ConsoleResponse) return exception.send(reply);
    const request = host.switchToHttp().getRequest<ConsoleRequest>();
    if (!this.isConsole(host, request)) return super.catch(exception, host);

    const { status, body, headers } = this.describe(exception, request);
    if (status === 401) {
      const next = safeNextPath(this.site.pagePath(request) + (request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''));
      const signIn = next && request.method === 'GET' && next !== '' ? `sign-in?next=${encodeURIComponent(next)}` : 'sign-in';
      return this.renderer.redirect(request, signIn).send(reply);
    }
    if (status >= 500) this.log.error(`${request.method} ${request.url.split('?')[0]} failed`, (exception as Error)?.stack);
    const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'That did not work');
    const noRoute = (host as { getClass?: () => unknown }).getClass?.() === undefined;
    const message = status === 404 && noRoute ? 'There is no page at this address. The sidebar lists what there is.' : body.message;
    const response = this.renderer.error(request, status, title, message);
    void reply
      .status(response.status)
      .headers({ ...response.headers, ...headers })
      .send(response.body);
  }

  /** A console controller's route, or an unknown path a browser opened (not under /api/). */
  private isConsole(host: ArgumentsHost, request: ConsoleRequest): boolean {
    const controller = (host as { getClass?: () => unknown }).getClass?.();
    if (typeof controller === 'function') return Reflect.getMetadata(ConsolePagesMark.KEY, controller) !== undefined;
    const path = request.url.split('?')[0]!;
    const accept = request.headers.accept ?? '';
    return !/^\/api(\/|$)/.test(path) && accept.includes('text/html');
  }
}
