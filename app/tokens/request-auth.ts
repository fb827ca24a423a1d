import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { ServerConfig } from '../config/config.schema.js';
import { ApiError } from '../http/api-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Clock } from '../runtime/clock.js';
import type { AccessRule } from './access.decorator.js';
import type { ApiToken } from './api-token.entity.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { TokenService, type AuthOutcome } from './token.service.js';

/** Who made a request and how they proved it; the token's type decides what they may do. */
export interface RequestPrincipal {
  /** The bearer token, or the admin token a console session was signed in with. */
  token: ApiToken;
  via: 'bearer' | 'session';
}

export interface AuthenticatedRequest extends FastifyRequest {
  pulseToken?: ApiToken;
  pulseAuth?: RequestPrincipal;
}

/**
 * Finds the console session a request carries (its cookie). The web console provides one as
 * SESSION_RESOLVER from a @Global() module; without it, requests need a bearer token.
 *
 * `resolve` returns the still-valid token the session was signed in with, or null when the request has no
 * session or an unknown/expired one. For a state-changing request it must also check the per-session CSRF
 * token and the same-origin headers, and throw an ApiError 403 when they fail.
 */
export interface SessionResolver {
  resolve(request: FastifyRequest): Promise<ApiToken | null>;
}

export const SESSION_RESOLVER = Symbol('SESSION_RESOLVER');

/** Until the console arrives no request carries a session. */
export const NO_SESSIONS: SessionResolver = { resolve: async () => null };

const UNAUTHORIZED_MESSAGE = 'Send a valid, unexpired token as "Authorization: Bearer <token>".';

/**
 * The one place a request is authenticated, for Nest routes (through ApiAuthGuard) and routes registered on
 * Fastify directly (the beat routes). An Authorization header is checked as a bearer token; without one,
 * the session resolver may find a console session. The 401 message is the same for a missing, malformed,
 * unknown, expired or revoked token, so no answer reveals whether a token exists; the log says which it was.
 * Failed token checks are counted per address (an IPv6 client per /64); beyond `[http] auth_failures_per_minute`
 * further failing attempts are answered 429, while a valid token from the same address is still served.
 */
@Injectable()
export class RequestAuthenticator {
  private readonly logger = new Logger('Auth');
  private readonly limiter: FailedAuthLimiter;
  private readonly failures: Counter<'reason'>;
  private readonly sessions: SessionResolver;

  constructor(
    private readonly tokens: TokenService,
    private readonly config: ServerConfig,
    private readonly clock: Clock,
    metrics: MetricsService,
    @Optional() @Inject(SESSION_RESOLVER) sessions?: SessionResolver | null,
  ) {
    this.limiter = new FailedAuthLimiter(config.http.auth_failures_per_minute);
    this.failures = metrics.counter({ name: 'pulse_auth_failures_total', help: 'Failed token checks', labelNames: ['reason'] });
    this.sessions = sessions ?? NO_SESSIONS;
  }

  /**
   * Lets the request through `rule` or throws an ApiError (401, 403 or 429). Returns who made it, or null
   * for a route the configuration makes public (no credentials are looked at then).
   */
  async authorize(rule: AccessRule, request: AuthenticatedRequest): Promise<RequestPrincipal | null> {
    if (rule.publicWhen?.(this.config)) return null;

    const address = request.ip.startsWith('::ffff:') ? request.ip.slice(7) : request.ip;
    const principal = await this.identify(request, address, this.clock.now());
    const adminPasses = principal.token.type === 'admin' && rule.adminAllowed !== false;
    if (!adminPasses && !rule.tokens.includes(principal.token.type)) {
      const wanted = rule.tokens.length > 0 ? rule.tokens.join(' or ') : 'admin';
      throw new ApiError(
        403,
        'forbidden',
        `This endpoint needs a token of type ${wanted}; the token sent is of type ${principal.token.type}.`,
      );
    }
    request.pulseToken = principal.token;
    request.pulseAuth = principal;
    return principal;
  }

  private async identify(request: FastifyRequest, address: string, now: number): Promise<RequestPrincipal> {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      const sessionToken = await this.sessions.resolve(request);
      if (sessionToken) return { token: sessionToken, via: 'session' };
      throw new ApiError(401, 'unauthorized', `This endpoint needs a token. ${UNAUTHORIZED_MESSAGE}`);
    }
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const outcome: AuthOutcome = bearer ? await this.tokens.authenticate(bearer[1]!) : { ok: false, reason: 'malformed' };
    if (!outcome.ok) {
      // Only failing attempts are limited (SPEC §13): a valid token from the same address is served.
      const blocked = this.limiter.retryAfterSeconds(address, now) > 0;
      this.limiter.recordFailure(address, now);
      this.failures.inc({ reason: outcome.reason });
      const which = outcome.tokenId !== undefined ? ` (token #${outcome.tokenId})` : '';
      const what = `${outcome.reason} token${which} from ${address} for ${request.method} ${request.url.split('?')[0]}`;
      if (blocked) {
        const retryAfter = this.limiter.retryAfterSeconds(address, now);
        this.logger.debug(`rejected ${what} (too many failures)`);
        throw new ApiError(429, 'too_many_failures', `Too many failed token checks from ${address}; try again in ${retryAfter} s.`, {
          'retry-after': String(retryAfter),
        });
      }
      this.logger.log(`rejected ${what}`);
      throw new ApiError(401, 'unauthorized', UNAUTHORIZED_MESSAGE);
    }
    return { token: outcome.token, via: 'bearer' };
  }
}
