import { Injectable, Logger } from '@nestjs/common';
import { AlertChannelsService } from '../alerts/alert-channels.service.js';
import { Clock } from '../runtime/clock.js';
import { FieldErrorList } from '../runtime/validation-failure.js';
import { TokenService } from '../tokens/token.service.js';
import { AgentQueryService } from './agent-query.service.js';
import { parseMetricsRequest } from './agent-report.dto.js';
import { AgentRuntime, type IngestOutcome } from './agent-runtime.service.js';
import { THRESHOLD_KEYS } from './agent-state.js';
import type { AgentBodyDto } from './agent.dto.js';
import { AgentRepository, type AgentSettings } from './agent.repository.js';
import { agentView } from './agent.views.js';

/** Agents API policy (SPEC §5): reports from agent tokens, and what admins change. */
@Injectable()
export class AgentService {
  private readonly logger = new Logger('Agents');

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly repository: AgentRepository,
    private readonly query: AgentQueryService,
    private readonly tokens: TokenService,
    private readonly alertChannels: AlertChannelsService,
    private readonly clock: Clock,
  ) {}

  /** POST /api/agent/metrics: one report or a batch, from the agent token `tokenId`. */
  report(tokenId: number, body: Record<string, unknown>): Promise<IngestOutcome> {
    return this.runtime.ingest(tokenId, parseMetricsRequest(body));
  }

  /** GET /api/agent/whoami: the agent this token is bound to, or null before its first report. */
  whoami(tokenId: number) {
    const agent = this.runtime.agentOfToken(tokenId);
    return { id: agent?.id ?? null, hostname: agent?.hostname ?? null };
  }

  async update(agentId: number, body: AgentBodyDto) {
    const agent = this.query.existing(agentId);
    const errors = new FieldErrorList();
    // An agent may only name alert channels that exist, so an alert never silently goes nowhere.
    for (const name of new Set(body.alerts ?? [])) {
      if (!(await this.alertChannels.find(name))) {
        errors.add('alerts', `there is no alert channel "${name.slice(0, 100)}"; GET /api/alerts lists them`);
        break;
      }
    }
    errors.throwIfAny();
    const thresholds: Record<string, number> = {};
    for (const key of THRESHOLD_KEYS) if (typeof body.thresholds?.[key] === 'number') thresholds[key] = body.thresholds[key];
    const hostname = body.hostname ?? agent.hostname;
    const settings: AgentSettings = { name: body.name?.trim() ?? hostname, hostname, thresholds, alerts: [...new Set(body.alerts ?? [])] };
    await this.repository.updateSettings(agentId, settings, this.clock.now());
    this.runtime.applySettings(agentId, settings);
    return this.query.detail(agentId);
  }

  /** Deletes the agent with its reports and history, and revokes its token (a new agent needs a new token). */
  async remove(agentId: number) {
    const agent = this.query.existing(agentId);
    const view = agentView(agent, this.runtime.inMaintenance(agentId));
    this.runtime.remove(agentId);
    await this.runtime.settle();
    await this.repository.delete(agentId);
    await this.tokens
      .revoke(agent.tokenId)
      .catch((error: Error) => this.logger.warn(`token #${agent.tokenId} of agent ${agentId}: ${error.message}`));
    this.logger.log(`agent ${agentId} "${agent.name}" deleted; its token #${agent.tokenId} is revoked`);
    return view;
  }
}
