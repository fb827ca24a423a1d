import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { MonitorsModule } from '../monitors/monitors.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { PollerAlertsListener } from './poller-alerts.listener.js';
import { PollerApiController } from './poller-api.controller.js';
import { PollerLinkService } from './poller-link.service.js';
import { PollerQueryService } from './poller-query.service.js';
import { PollerRegistry } from './poller-registry.service.js';
import { PollerRepository } from './poller.repository.js';
import { PollersController } from './pollers.controller.js';
import { PollersService } from './pollers.service.js';

/** SPEC §4, the server's side of pollers: registration, tasks, results, liveness and its alerts, the admin API. */
@Module({
  imports: [MonitorsModule, AlertsModule, TokensModule],
  controllers: [PollersController, PollerApiController],
  providers: [PollerRepository, PollerRegistry, PollerLinkService, PollersService, PollerQueryService, PollerAlertsListener],
  exports: [PollerQueryService],
})
export class PollersModule {}
