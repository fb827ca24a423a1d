import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AgentAlertsListener } from './agent-alerts.listener.js';
import { AgentCleanupService } from './agent-cleanup.service.js';
import { AgentIngestController } from './agent-ingest.controller.js';
import { AgentMaintenanceListener } from './agent-maintenance.listener.js';
import { AgentQueryService } from './agent-query.service.js';
import { AgentRuntime } from './agent-runtime.service.js';
import { AgentService } from './agent.service.js';
import { AgentRepository } from './agent.repository.js';
import { AgentsController } from './agents.controller.js';
import './agent.events.js';

/** SPEC §5: agent reports, their history, thresholds and states, and the agents API. */
@Module({
  imports: [AlertsModule, TokensModule],
  controllers: [AgentIngestController, AgentsController],
  providers: [
    AgentRepository,
    AgentRuntime,
    AgentService,
    AgentQueryService,
    AgentAlertsListener,
    AgentMaintenanceListener,
    AgentCleanupService,
  ],
  exports: [AgentRuntime, AgentQueryService],
})
export class AgentsModule {}
