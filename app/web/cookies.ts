import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'pulse_session';
/** Holds the sign-in form's CSRF token before there is a session (double submit, plus the Origin check). */
export const SIGN_IN_COOKIE = 'pulse_sign_in';

export interface CookieScope {
  /** The console's base path, so the cookie goes nowhere else on a shared host. */
  path: string;
  /** Set when the request came over HTTPS, directly or through a trusted proxy. */
  secure: boolean;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  return parse(header)[name];
}

export function setCookie(reply: FastifyReply, name: string, value: string, scope: CookieScope, maxAgeSeconds: number): void {
  reply.header(
    'set-cookie',
    serialize(name, value, { httpOnly: true, sameSite: 'strict', path: scope.path, secure: scope.secure, maxAge: maxAgeSeconds }),
  );
}

export function clearCookie(reply: FastifyReply, name: string, scope: CookieScope): void {
  reply.header('set-cookie', serialize(name, '', { httpOnly: true, sameSite: 'strict', path: scope.path, secure: scope.secure, maxAge: 0 }));
}
