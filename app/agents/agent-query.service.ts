import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { parseTimeParam } from '../http/time-param.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { PERIOD_MS } from './agent-history.js';
import { AgentRuntime } from './agent-runtime.service.js';
import type { AgentMetricsQuery, AgentSort, ListAgentsQuery } from './agent.dto.js';
import { AgentRepository } from './agent.repository.js';
import { agentDetailView, agentView, historyView } from './agent.views.js';
import type { LiveAgent } from './live-agent.js';

const DAY_MS = 86_400_000;
/** Worst first when sorting by state. */
const STATE_ORDER = { down: 0, warning: 1, maintenance: 2, ok: 3 } as const;

const SORT_KEYS: Record<AgentSort, (agent: LiveAgent) => string | number> = {
  id: (agent) => agent.id,
  name: (agent) => agent.name.toLowerCase(),
  hostname: (agent) => agent.hostname.toLowerCase(),
  status: (agent) => STATE_ORDER[agent.state],
  last_seen: (agent) => agent.lastSeenAt,
  cpu: (agent) => agent.latest?.cpu?.percent ?? -1,
  memory: (agent) => agent.latest?.memory?.percent ?? -1,
  disk: (agent) => agent.fullestDisk?.percent ?? -1,
};

/** What the API and the console read about agents: paged, sorted, filtered view models, and metric history from buckets. */
@Injectable()
export class AgentQueryService {
  constructor(
    private readonly runtime: AgentRuntime,
    private readonly repository: AgentRepository,
    private readonly clock: Clock,
  ) {}

  list(query: ListAgentsQuery) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 50;
    const needle = query.q?.trim().toLowerCase();
    const sort = query.sort ?? 'name';
    const direction = (query.order ?? 'asc') === 'asc' ? 1 : -1;
    const key = SORT_KEYS[sort];
    const matching = this.runtime
      .all()
      .filter((agent) => !query.status || agent.state === query.status)
      .filter((agent) => !needle || agent.name.toLowerCase().includes(needle) || agent.hostname.toLowerCase().includes(needle))
      .sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        return (x < y ? -1 : x > y ? 1 : a.id - b.id) * direction;
      });
    return {
      agents: matching.slice((page - 1) * perPage, page * perPage).map((agent) => agentView(agent, this.runtime.inMaintenance(agent.id))),
      page,
      per_page: perPage,
      total: matching.length,
      sort,
      order: direction === 1 ? 'asc' : 'desc',
    };
  }

  detail(agentId: number) {
    const agent = this.existing(agentId);
    return agentDetailView(agent, this.runtime.inMaintenance(agentId));
  }

  /** Minute or hour buckets (avg and max per bucket) of some or all metrics; never a scan of raw reports. */
  async history(agentId: number, query: AgentMetricsQuery) {
    this.existing(agentId);
    const period = query.period ?? 'minute';
    const until = parseTime(query.until) ?? this.clock.now();
    const since = parseTime(query.since) ?? until - (period === 'minute' ? 3_600_000 : 7 * DAY_MS);
    if (since > until) throw ValidationFailure.field('since', 'must be before until');
    if (until - since > (period === 'minute' ? 7 : 400) * DAY_MS)
      throw ValidationFailure.field(
        'since',
        `at most ${period === 'minute' ? '7 days of minute' : '400 days of hour'} buckets per request; narrow since/until`,
      );
    const metrics = query.metric ? [...new Set(query.metric.split(','))] : [];
    const from = Math.floor(since / PERIOD_MS[period]) * PERIOD_MS[period];
    const buckets = await this.repository.buckets(agentId, period, from, until, metrics);
    return {
      agent_id: agentId,
      period,
      since: new Date(from).toISOString(),
      until: new Date(until).toISOString(),
      metrics: historyView(buckets),
    };
  }

  existing(agentId: number): LiveAgent {
    const agent = this.runtime.get(agentId);
    if (!agent) throw ApiError.notFound(`There is no agent with id ${agentId}. GET /api/agents lists them.`);
    return agent;
  }
}

/** A validated time parameter as epoch ms; undefined when absent. */
function parseTime(text: string | undefined): number | undefined {
  return text === undefined ? undefined : (parseTimeParam(text) ?? undefined);
}
