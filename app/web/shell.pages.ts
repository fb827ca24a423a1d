import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { randomBytes } from 'node:crypto';
import { HttpSection } from '../config/config.schema.js';
import { Clock } from '../runtime/clock.js';
import { Public } from '../tokens/access.decorator.js';
import { FailedAuthLimiter } from '../tokens/failed-auth-limiter.js';
import { TokenService } from '../tokens/token.service.js';
import { safeNextPath } from './base-path.js';
import { ConsoleController, Page } from './console-pages.js';
import { redirect, view } from './console-results.js';
import { ConsoleSessionResolver, CSRF_REFUSAL, type ConsoleRequest } from './console-session.resolver.js';
import { ConsoleSite } from './console-site.js';
import { clearCookie, readCookie, SESSION_COOKIE, setCookie, SIGN_IN_COOKIE, type CookieScope } from './cookies.js';
import { ApiError } from '../http/api-error.js';
import { PageRegistry } from './page-registry.js';
import { SESSION_MAX_AGE_MS } from './session-policy.js';
import { SessionService } from './session.service.js';
import { StaticFiles } from './static-files.js';
import { LiveHub } from './live-hub.js';

const SIGN_IN_FORM_TTL_S = 60 * 60;

/** The shell's own routes: sign-in, sign-out, static files and the live event stream (`/` is the dashboard's). */
@ConsoleController()
export class ShellPages {
  private readonly signInFailures: FailedAuthLimiter;

  constructor(
    private readonly sessions: SessionService,
    private readonly resolver: ConsoleSessionResolver,
    private readonly tokens: TokenService,
    private readonly site: ConsoleSite,
    private readonly pages: PageRegistry,
    private readonly assets: StaticFiles,
    private readonly live: LiveHub,
    private readonly clock: Clock,
    http: HttpSection,
  ) {
    this.signInFailures = new FailedAuthLimiter(http.auth_failures_per_minute);
  }

  @Public()
  @Page('sign-in', { title: 'Sign in' })
  async signInForm(@Req() request: ConsoleRequest, @Res({ passthrough: true }) reply: FastifyReply, @Query('next') next?: string) {
    if (await this.resolver.resolve(request)) return redirect(safeNextPath(next) ?? this.pages.home());
    return this.signInView(request, reply, { next: safeNextPath(next) ?? '' });
  }

  @Public()
  @Post('sign-in')
  async signIn(@Req() request: ConsoleRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: Record<string, unknown>) {
    const next = safeNextPath(body?.next) ?? '';
    const formToken = readCookie(request, SIGN_IN_COOKIE);
    try {
      this.resolver.verifyStateChange(request, formToken ?? '');
    } catch {
      return this.signInView(request, reply, { next, error: `${CSRF_REFUSAL}` }, 403);
    }
    const address = request.ip.startsWith('::ffff:') ? request.ip.slice(7) : request.ip;
    const now = this.clock.now();
    const wait = this.signInFailures.retryAfterSeconds(address, now);
    if (wait > 0)
      return this.signInView(request, reply, { next, error: `Too many failed sign-ins from ${address}; try again in ${wait} s.` }, 429);

    const secret = typeof body?.token === 'string' ? body.token.trim() : '';
    const outcome = secret ? await this.tokens.authenticate(secret) : ({ ok: false } as const);
    if (!outcome.ok || outcome.token.type !== 'admin') {
      this.signInFailures.recordFailure(address, now);
      const error = outcome.ok
        ? `That is ${outcome.token.type === 'agent' ? 'an' : 'a'} ${outcome.token.type} token; the console needs an admin token.`
        : 'That token is not valid. Paste the whole admin token (sw_admin_…), without spaces.';
      return this.signInView(request, reply, { next, error }, 401);
    }
    const { sessionId } = await this.sessions.start(outcome.token);
    clearCookie(reply, SIGN_IN_COOKIE, this.cookieScope(request));
    setCookie(reply, SESSION_COOKIE, sessionId, this.cookieScope(request), SESSION_MAX_AGE_MS / 1000);
    return redirect(next || this.pages.home());
  }

  @Post('sign-out')
  async signOut(@Req() request: ConsoleRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (request.pulseSession) await this.sessions.end(request.pulseSession.sessionId);
    clearCookie(reply, SESSION_COOKIE, this.cookieScope(request));
    return redirect('sign-in');
  }

  /** Content-hashed static files: cached for a year, a new file gets a new name. */
  @Public()
  @Get('static/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply) {
    const found = this.assets.find(file);
    if (!found) throw ApiError.notFound(`There is no static file ${file}.`);
    void reply.header('content-type', found.contentType).header('cache-control', 'public, max-age=31536000, immutable').send(found.body);
  }

  /** The live event stream of a signed-in page (Server-Sent Events). */
  @Get('events')
  events(@Req() request: ConsoleRequest, @Res() reply: FastifyReply, @Query('since') since?: string) {
    if (!request.pulseSession) throw new ApiError(401, 'unauthorized', 'The event stream needs a console session.');
    const lastEventId = request.headers['last-event-id'];
    this.live.open(request, reply, request.pulseSession.sessionId, typeof lastEventId === 'string' && lastEventId ? lastEventId : since);
  }

  private signInView(request: ConsoleRequest, reply: FastifyReply, data: { next: string; error?: string }, status = 200) {
    let formToken = readCookie(request, SIGN_IN_COOKIE);
    if (!formToken || !/^[A-Za-z0-9_-]{32,64}$/.test(formToken)) {
      formToken = randomBytes(24).toString('base64url');
      setCookie(reply, SIGN_IN_COOKIE, formToken, this.cookieScope(request), SIGN_IN_FORM_TTL_S);
    }
    return view(
      'console/sign-in',
      { title: 'Sign in', formToken, ...data },
      { status, layout: 'bare', fragments: { 'sign-in': 'console/sign-in-form' } },
    );
  }

  private cookieScope(request: ConsoleRequest): CookieScope {
    return { path: this.site.basePath, secure: this.site.isHttps(request) };
  }
}
