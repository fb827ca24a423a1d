import { Inject, Injectable, Logger, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { PulseConfig } from '../config/config.schema.js';
import { ApiError } from '../http/api-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Clock } from '../runtime/clock.js';
import { ACCESS_RULE, ADMIN_ONLY, type AccessRule } from './access.decorator.js';
import type { ApiToken } from './api-token.entity.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { NO_SESSIONS, SESSION_RESOLVER, type SessionResolver } from './session-resolver.js';
import { TokenService, type AuthOutcome } from './token.service.js';

export interface AuthenticatedRequest extends FastifyRequest {
  pulseToken?: ApiToken;
}

const UNAUTHORIZED_MESSAGE = 'Send a valid, unexpired token as "Authorization: Bearer <token>".';

/**
 * Global guard: every route needs an admin token unless its @RequireToken / @PublicWhen / @Public rule
 * says otherwise. The 401 message is the same for a missing, malformed, unknown, expired or revoked
 * token, so no answer reveals whether a token exists; the log says which it was.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');
  private readonly limiter: FailedAuthLimiter;
  private readonly failures: Counter<'reason'>;
  private readonly sessions: SessionResolver;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly config: PulseConfig,
    private readonly clock: Clock,
    metrics: MetricsService,
    @Optional() @Inject(SESSION_RESOLVER) sessions?: SessionResolver | null,
  ) {
    this.sessions = sessions ?? NO_SESSIONS;
    this.limiter = new FailedAuthLimiter(config.http.auth_failures_per_minute);
    this.failures = metrics.counter({ name: 'pulse_auth_failures_total', help: 'Failed token checks', labelNames: ['reason'] });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule =
      this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]) ?? ADMIN_ONLY;
    return this.authorize(rule, context.switchToHttp().getRequest<AuthenticatedRequest>());
  }

  /** The same check for routes registered on Fastify directly (the heartbeat beat routes); throws ApiError. */
  async authorize(rule: AccessRule, request: AuthenticatedRequest): Promise<true> {
    if (rule.publicWhen?.(this.config)) return true;

    const address = request.ip.startsWith('::ffff:') ? request.ip.slice(7) : request.ip;
    const now = this.clock.now();
    const retryAfter = this.limiter.retryAfterSeconds(address, now);
    if (retryAfter > 0) {
      throw new ApiError(429, 'too_many_failures', `Too many failed token checks from ${address}; try again in ${retryAfter} s.`, {
        'retry-after': String(retryAfter),
      });
    }

    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      // No bearer token: a console session (cookie) may stand in for the admin token it was signed in with.
      const sessionToken = await this.sessions.resolve(request);
      if (!sessionToken) throw new ApiError(401, 'unauthorized', `This endpoint needs a token. ${UNAUTHORIZED_MESSAGE}`);
      return this.admit(rule, request, sessionToken);
    }
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const outcome: AuthOutcome = bearer ? await this.tokens.authenticate(bearer[1]!) : { ok: false, reason: 'malformed' };
    if (!outcome.ok) {
      this.limiter.recordFailure(address, now);
      this.failures.inc({ reason: outcome.reason });
      const which = outcome.tokenId !== undefined ? ` (token #${outcome.tokenId})` : '';
      this.logger.log(`rejected ${outcome.reason} token${which} from ${address} for ${request.method} ${request.url.split('?')[0]}`);
      throw new ApiError(401, 'unauthorized', UNAUTHORIZED_MESSAGE);
    }

    return this.admit(rule, request, outcome.token);
  }

  private admit(rule: AccessRule, request: AuthenticatedRequest, token: ApiToken): true {
    const adminPasses = token.type === 'admin' && rule.adminAllowed !== false;
    if (!adminPasses && !rule.tokens.includes(token.type)) {
      const wanted = rule.tokens.length > 0 ? rule.tokens.join(' or ') : 'admin';
      throw new ApiError(403, 'forbidden', `This endpoint needs a token of type ${wanted}; the token sent is of type ${token.type}.`);
    }
    request.pulseToken = token;
    return true;
  }
}
