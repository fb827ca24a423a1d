import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ApiToken } from './api-token.entity.js';
import type { AuthenticatedRequest } from './request-auth.js';

/**
 * What a route learns of the token it was called with. A type, not the entity class, so the validation
 * pipe (which checks class-typed parameters) leaves it alone.
 */
export type CallerToken = Pick<ApiToken, 'id' | 'name' | 'type'>;

/**
 * The token the request was authenticated with (set by the global guard): routes of pollers and agents
 * use it to find which poller or agent is speaking. Never undefined behind a token rule.
 */
export const RequestToken = createParamDecorator((_data: unknown, context: ExecutionContext): CallerToken => {
  const token = context.switchToHttp().getRequest<AuthenticatedRequest>().pulseToken;
  if (!token) throw new Error('RequestToken used on a route without a token rule');
  return token;
});
