import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import type { ConsoleRequest } from './console-session.resolver.js';
import { ConsoleRedirect, ConsoleView } from './console-results.js';
import { ConsoleRenderer } from './console-renderer.js';

/**
 * Renders what console handlers return. The finished response leaves through the exception filter
 * (thrown as a ConsoleResponse), because Nest would otherwise send every result with one fixed status
 * per route (201 for every POST), and console answers need 303, 401, 422 … as well.
 */
@Injectable()
export class ViewInterceptor implements NestInterceptor {
  constructor(private readonly renderer: ConsoleRenderer) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    return next.handle().pipe(
      map((result: unknown) => {
        if (result instanceof ConsoleView || result instanceof ConsoleRedirect) throw this.renderer.respond(request, result);
        return result;
      }),
    );
  }
}
