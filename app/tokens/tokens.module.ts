import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiAuthGuard } from './api-auth.guard.js';
import { FirstRunService } from './first-run.service.js';
import { RequestAuthenticator } from './request-auth.js';
import { TokenRepository } from './token.repository.js';
import { TokenService } from './token.service.js';
import { TokensController } from './tokens.controller.js';
import { TokensPages } from './tokens.pages.js';
import { TokensQuery } from './tokens.query.js';

@Module({
  controllers: [TokensController, TokensPages],
  providers: [
    TokenRepository,
    TokenService,
    TokensQuery,
    FirstRunService,
    RequestAuthenticator,
    ApiAuthGuard,
    { provide: APP_GUARD, useExisting: ApiAuthGuard },
  ],
  exports: [TokenService, TokensQuery, RequestAuthenticator, FirstRunService],
})
export class TokensModule {}

/** Only what `admin-token --reset` needs: no HTTP, no guard, no first-run printing. */
@Module({ providers: [TokenRepository, TokenService], exports: [TokenService] })
export class TokenAdministrationModule {}
