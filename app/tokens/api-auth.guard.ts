import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_RULE, ADMIN_ONLY, type AccessRule } from './access.decorator.js';
import { RequestAuthenticator, type AuthenticatedRequest } from './request-auth.js';

/**
 * Global guard: every route needs an admin token unless its @RequireToken / @PublicWhen / @Public rule
 * says otherwise. How a request proves who it is lives in RequestAuthenticator.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule =
      this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]) ?? ADMIN_ONLY;
    await this.authenticator.authorize(rule, context.switchToHttp().getRequest<AuthenticatedRequest>());
    return true;
  }
}
