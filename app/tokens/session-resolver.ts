import type { FastifyRequest } from 'fastify';
import type { ApiToken } from './api-token.entity.js';

/**
 * Finds the console session a request carries (its cookie). The web console provides one as
 * SESSION_RESOLVER from a @Global() module; without it, requests need a bearer token.
 *
 * `resolve` returns the still-valid token the session was signed in with, or null when the request has no
 * session or an unknown/expired one. For a state-changing request it also checks the per-session CSRF
 * token and the same-origin headers, and throws an ApiError 403 when they fail.
 */
export interface SessionResolver {
  resolve(request: FastifyRequest): Promise<ApiToken | null>;
}

export const SESSION_RESOLVER = Symbol('SESSION_RESOLVER');

/** Without the console no request carries a session. */
export const NO_SESSIONS: SessionResolver = { resolve: async () => null };
