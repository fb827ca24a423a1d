import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error.js';
import type { ApiToken } from '../tokens/api-token.entity.js';
import type { SessionResolver } from '../tokens/request-auth.js';
import { ConsoleSite } from './console-site.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import { checkSameOrigin, isStateChanging, submittedCsrfToken, tokensMatch } from './csrf.js';
import { SessionService, type ActiveSession } from './session.service.js';

export interface ConsoleRequest extends FastifyRequest {
  /** Set when the request was authenticated by a console session. */
  pulseSession?: ActiveSession & { sessionId: string };
}

export const CSRF_REFUSAL =
  'This change was refused because it did not come from a page of this console (a missing or stale form token, or another site). ' +
  'Reload the page and try again.';

/**
 * The console's answer to "who is this request?" for the global auth guard: the cookie's session, if it is
 * alive and its admin token still valid. A state-changing request must also carry the session's CSRF token
 * and come from the console's own origin, else 403 — whatever route it is for, API routes included.
 */
@Injectable()
export class ConsoleSessionResolver implements SessionResolver {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly sessions: SessionService,
    private readonly site: ConsoleSite,
  ) {}

  async resolve(request: ConsoleRequest): Promise<ApiToken | null> {
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (!sessionId) return null;
    const session = await this.sessions.find(sessionId);
    if (!session) return null;
    if (isStateChanging(request.method)) this.verifyStateChange(request, session.csrfToken);
    request.pulseSession = { ...session, sessionId };
    this.sessions.recordActivity(session);
    return session.token;
  }

  /** The CSRF token and same-origin check, for session requests and (with the sign-in cookie's token) the sign-in form. */
  verifyStateChange(request: FastifyRequest, expectedToken: string): void {
    const origin = checkSameOrigin(request.headers, this.site.allowedOrigins(request));
    const tokenOk = tokensMatch(expectedToken, submittedCsrfToken(request.headers, request.body));
    if (origin.ok && tokenOk) return;
    const why = origin.ok ? 'no valid CSRF token' : origin.reason;
    this.logger.warn(`refused ${request.method} ${request.url.split('?')[0]} from ${request.ip}: ${why}`);
    throw new ApiError(403, 'csrf_failed', CSRF_REFUSAL);
  }
}
