import { Module } from '@nestjs/common';
import { AgentChoices } from '../maintenance/scope-choices.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AgentChoicesProvider } from './agent-choices.provider.js';
import { AgentCleanupService } from './agent-cleanup.service.js';
import { AgentCluster } from './agent-cluster.js';
import { AgentIngestController } from './agent-ingest.controller.js';
import { AgentMaintenanceListener } from './agent-maintenance.listener.js';
import { AgentsQuery } from './agents.query.js';
import { AgentRuntime } from './agent-runtime.service.js';
import { AgentService } from './agent.service.js';
import { AgentRepository } from './agent.repository.js';
import { AgentsController } from './agents.controller.js';
import { AgentsPages } from './agents.pages.js';
import './agent.events.js';

/** SPEC §5: agent reports, their history, thresholds and states, and the agents API. */
@Module({
  imports: [TokensModule],
  controllers: [AgentIngestController, AgentsController, AgentsPages],
  providers: [
    AgentRepository,
    AgentRuntime,
    AgentCluster,
    AgentService,
    AgentsQuery,
    AgentMaintenanceListener,
    AgentCleanupService,
    // The maintenance form's agents picker (maintenance defines the port, agents provide it).
    { provide: AgentChoices, useClass: AgentChoicesProvider },
  ],
  exports: [AgentRuntime, AgentsQuery],
})
export class AgentsModule {}
