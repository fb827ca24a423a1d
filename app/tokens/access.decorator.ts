import { SetMetadata } from '@nestjs/common';
import type { ServerConfig } from '../config/config.schema.js';
import type { TokenType } from './api-token.entity.js';

/** Who may call a route. Routes without a rule need an admin token. */
export interface AccessRule {
  /** Token types accepted; admin tokens are accepted everywhere unless `adminAllowed` is false. */
  tokens: readonly TokenType[];
  /** Open to everyone when this returns true for the running configuration. */
  publicWhen?: (config: ServerConfig) => boolean;
  adminAllowed?: boolean;
}

export const ACCESS_RULE = 'pulse:access-rule';
export const ADMIN_ONLY: AccessRule = { tokens: ['admin'] };

/** No token needed (health checks, the sign-in page). */
export const Public = () => SetMetadata(ACCESS_RULE, { tokens: [], publicWhen: () => true } satisfies AccessRule);

/** A token of one of these types (or admin). */
export const RequireToken = (...tokens: TokenType[]) => SetMetadata(ACCESS_RULE, { tokens } satisfies AccessRule);

/** A token of exactly these types; an admin token is refused too (routes that act as one poller or agent). */
export const RequireOwnToken = (...tokens: TokenType[]) => SetMetadata(ACCESS_RULE, { tokens, adminAllowed: false } satisfies AccessRule);

/** Open when the configuration says so, else a token of these types (or admin). */
export const PublicWhen = (publicWhen: (config: ServerConfig) => boolean, ...tokens: TokenType[]) =>
  SetMetadata(ACCESS_RULE, { tokens, publicWhen } satisfies AccessRule);
