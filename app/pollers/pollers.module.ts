import { Global, Module } from '@nestjs/common';
import { PollerChoices } from '../monitors/poller-choices.js';
import { MonitorsModule } from '../monitors/monitors.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { PollerApiController } from './poller-api.controller.js';
import { PollerSourceChoices } from './poller-choices.provider.js';
import { PollerCluster } from './poller-cluster.js';
import { PollerLinkService } from './poller-link.service.js';
import { PollerRegistry } from './poller-registry.service.js';
import { PollerRepository } from './poller.repository.js';
import { PollersController } from './pollers.controller.js';
import { PollersPages } from './pollers.pages.js';
import { PollersQuery } from './pollers.query.js';
import { PollersService } from './pollers.service.js';

/**
 * SPEC §4, the server's side of pollers: registration, tasks, results, liveness, the admin API, and the
 * PollersQuery the console reads. Offline / back-online alerts are routed by the alerts feature from
 * `poller.state-changed`. Global for the PollerChoices it provides the monitor form (monitors do not import
 * pollers, which depend on them).
 */
@Global()
@Module({
  imports: [MonitorsModule, TokensModule],
  controllers: [PollersController, PollerApiController, PollersPages],
  providers: [
    PollerRepository,
    PollerRegistry,
    PollerCluster,
    PollerLinkService,
    PollersService,
    PollersQuery,
    { provide: PollerChoices, useClass: PollerSourceChoices },
  ],
  exports: [PollersQuery, PollerChoices],
})
export class PollersModule {}
