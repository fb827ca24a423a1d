import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SESSION_RESOLVER } from '../tokens/request-auth.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { ConsoleExceptionFilter, SiteExceptionFilter } from './console-exception.filter.js';
import { ConsoleRenderer } from './console-renderer.js';
import { ConsoleSessionResolver } from './console-session.resolver.js';
import { ConsoleSite } from './console-site.js';
import { LiveHub } from './live-hub.js';
import { PageRegistry } from './page-registry.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { ShellPages } from './shell.pages.js';
import { StaticFiles } from './static-files.js';
import { ViewEngine } from './view-engine.js';
import { ViewInterceptor } from './view.interceptor.js';

/**
 * The console's shell (SPEC §8): view engine, sessions and CSRF, base path, static files, the live event
 * hub and the shell's own pages. Global, so every feature's pages can inject the renderer, the hub and
 * the site, and so the auth guard finds the session resolver.
 */
@Global()
@Module({
  imports: [DiscoveryModule, TokensModule],
  controllers: [ShellPages],
  providers: [
    ConsoleSite,
    StaticFiles,
    ViewEngine,
    PageRegistry,
    ConsoleRenderer,
    ViewInterceptor,
    ConsoleExceptionFilter,
    SiteExceptionFilter,
    SessionRepository,
    SessionService,
    ConsoleSessionResolver,
    { provide: SESSION_RESOLVER, useExisting: ConsoleSessionResolver },
    LiveHub,
  ],
  exports: [ConsoleSite, ConsoleRenderer, ConsoleExceptionFilter, SiteExceptionFilter, ConsoleSessionResolver, LiveHub, ViewEngine, SESSION_RESOLVER, SessionService],
})
export class WebModule {}
