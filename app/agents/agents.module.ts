import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module.js';
import { AgentCleanupService } from './agent-cleanup.service.js';
import { AgentIngestController } from './agent-ingest.controller.js';
import { AgentMaintenanceListener } from './agent-maintenance.listener.js';
import { AgentsQuery } from './agents.query.js';
import { AgentRuntime } from './agent-runtime.service.js';
import { AgentService } from './agent.service.js';
import { AgentRepository } from './agent.repository.js';
import { AgentsController } from './agents.controller.js';
import './agent.events.js';

/** SPEC §5: agent reports, their history, thresholds and states, and the agents API. */
@Module({
  imports: [TokensModule],
  controllers: [AgentIngestController, AgentsController],
  providers: [AgentRepository, AgentRuntime, AgentService, AgentsQuery, AgentMaintenanceListener, AgentCleanupService],
  exports: [AgentRuntime, AgentsQuery],
})
export class AgentsModule {}
