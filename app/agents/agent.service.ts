import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AlertChannelLookup } from '../monitors/alert-channel-lookup.js';
import { Clock } from '../runtime/clock.js';
import { FieldErrorList, fieldErrorsOf, ValidationFailure } from '../runtime/validation-failure.js';
import { TokenService } from '../tokens/token.service.js';
import { AgentsQuery } from './agents.query.js';
import { parseMetricsRequest } from './agent-report.dto.js';
import { AgentCluster } from './agent-cluster.js';
import { AgentRuntime, type IngestOutcome } from './agent-runtime.service.js';
import { THRESHOLD_KEYS } from './agent-state.js';
import { ThresholdsDto, type AgentBodyDto } from './agent.dto.js';
import { AgentRepository, type AgentSettings } from './agent.repository.js';
import { agentView, type AgentDetailView } from './agent.views.js';

/** Agents API policy (SPEC §5): reports from agent tokens, and what admins change. */
@Injectable()
export class AgentService {
  private readonly logger = new Logger('Agents');

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly repository: AgentRepository,
    private readonly query: AgentsQuery,
    private readonly tokens: TokenService,
    private readonly alertChannels: AlertChannelLookup,
    private readonly clock: Clock,
    private readonly cluster: AgentCluster,
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

  /** PUT /api/agents/<id>: replaces the agent's settings (what is left out takes its default). */
  async update(agentId: number, body: AgentBodyDto): Promise<AgentDetailView> {
    const agent = this.query.existing(agentId);
    const errors = new FieldErrorList();
    // An agent may only name alert channels that exist, so an alert never silently goes nowhere.
    for (const name of new Set(body.alerts ?? [])) {
      if (!(await this.alertChannels.exists(name))) {
        errors.add('alerts', `there is no alert channel "${name.slice(0, 100)}"; GET /api/alerts lists them`);
        break;
      }
    }
    errors.throwIfAny();
    const hostname = body.hostname ?? agent.hostname;
    return this.save(agentId, {
      name: body.name?.trim() ?? hostname,
      hostname,
      thresholds: overridesOf(body.thresholds),
      alerts: [...new Set(body.alerts ?? [])],
    });
  }

  /**
   * The thresholds form: replaces only the agent's threshold overrides (a key left out or blank takes the
   * default), keeping its name and alerts. Input is checked here, so a refused value comes back as a
   * ValidationFailure naming the threshold (`disk_percent`), for the API and the console alike.
   */
  async setThresholds(agentId: number, input: Record<string, unknown>): Promise<AgentDetailView> {
    const agent = this.query.existing(agentId);
    // A form sends text: "95" is the number 95; anything else is left for validation to name.
    const given = Object.fromEntries(
      Object.entries(input)
        .map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value] as const)
        .filter(([, value]) => value !== undefined && value !== null && value !== '')
        .map(([key, value]) => [key, typeof value === 'string' && /^-?\d{1,6}(\.\d{1,6})?$/.test(value) ? Number(value) : value]),
    );
    const dto = plainToInstance(ThresholdsDto, given);
    const failures = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true });
    if (failures.length > 0)
      throw new ValidationFailure(fieldErrorsOf(failures, `is not a threshold; thresholds: ${THRESHOLD_KEYS.join(', ')}`));
    return this.save(agentId, { name: agent.name, hostname: agent.hostname, thresholds: overridesOf(dto), alerts: agent.alerts });
  }

  private async save(agentId: number, settings: AgentSettings): Promise<AgentDetailView> {
    await this.repository.updateSettings(agentId, settings, this.clock.now());
    this.runtime.applySettings(agentId, settings);
    this.cluster.changed(agentId);
    return this.query.get(agentId);
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
    this.cluster.changed(agentId);
    return view;
  }
}

/** Only the thresholds given, as numbers. */
function overridesOf(thresholds: ThresholdsDto | undefined): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const key of THRESHOLD_KEYS) if (typeof thresholds?.[key] === 'number') overrides[key] = thresholds[key];
  return overrides;
}
