import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { pageOf, type Page, type PageRequest } from '../http/paging.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { PERIOD_MS } from './agent-history.js';
import { AgentRuntime } from './agent-runtime.service.js';
import type { AgentSort } from './agent.dto.js';
import type { AgentState } from './agent.entity.js';
import { AgentRepository } from './agent.repository.js';
import {
  agentDetailView,
  agentView,
  historyView,
  thresholdViews,
  type AgentDetailView,
  type AgentView,
  type HistorySeriesView,
  type ThresholdView,
} from './agent.views.js';
import type { LiveAgent } from './live-agent.js';

const DAY_MS = 86_400_000;
/** Worst first when sorting by state. */
const STATE_ORDER: Record<AgentState, number> = { down: 0, warning: 1, maintenance: 2, ok: 3 };

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

export interface AgentFilter {
  status?: AgentState;
  /** Text in the name or the host name, any case. */
  q?: string;
  sort?: AgentSort;
  order?: 'asc' | 'desc';
}

export interface AgentHistoryFilter {
  period: 'minute' | 'hour';
  /** Epoch ms; default: the last hour of minute buckets, the last 7 days of hour buckets. */
  since?: number;
  until?: number;
  /** History metric names (`cpu.percent`, an extra figure's name); none = all. */
  metrics: string[];
}

export interface AgentHistoryView {
  agent_id: number;
  period: 'minute' | 'hour';
  since: string;
  until: string;
  metrics: HistorySeriesView[];
}

/**
 * Agents as the API and the console read them: a filtered, sorted page (from memory: the runtime holds
 * every agent), one agent with its newest figures and thresholds, and metric history from the minute and
 * hour buckets (never a scan of raw reports).
 */
@Injectable()
export class AgentsQuery {
  constructor(
    private readonly runtime: AgentRuntime,
    private readonly repository: AgentRepository,
    private readonly clock: Clock,
  ) {}

  list(filter: AgentFilter, request: PageRequest): Page<AgentView> {
    const needle = filter.q?.trim().toLowerCase();
    const key = SORT_KEYS[filter.sort ?? 'name'];
    const direction = (filter.order ?? 'asc') === 'asc' ? 1 : -1;
    const matching = this.runtime
      .all()
      .filter((agent) => !filter.status || agent.state === filter.status)
      .filter((agent) => !needle || agent.name.toLowerCase().includes(needle) || agent.hostname.toLowerCase().includes(needle))
      .sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        return (x < y ? -1 : x > y ? 1 : a.id - b.id) * direction;
      });
    const page = pageOf(matching, request);
    return { ...page, items: page.items.map((agent) => agentView(agent, this.runtime.inMaintenance(agent.id))) };
  }

  /** 404 when there is no agent with that id. */
  get(agentId: number): AgentDetailView {
    return agentDetailView(this.existing(agentId), this.runtime.inMaintenance(agentId));
  }

  /** The thresholds in force for the agent, each with its default and whether the agent overrides it. */
  thresholds(agentId: number): ThresholdView[] {
    return thresholdViews(this.existing(agentId));
  }

  /** Minute or hour buckets (avg and max per bucket) of some or all metrics. */
  async history(agentId: number, filter: AgentHistoryFilter): Promise<AgentHistoryView> {
    this.existing(agentId);
    const { period } = filter;
    const until = filter.until ?? this.clock.now();
    const since = filter.since ?? until - (period === 'minute' ? 3_600_000 : 7 * DAY_MS);
    if (since > until) throw ValidationFailure.field('since', 'must be before until');
    if (until - since > (period === 'minute' ? 7 : 400) * DAY_MS)
      throw ValidationFailure.field(
        'since',
        `at most ${period === 'minute' ? '7 days of minute' : '400 days of hour'} buckets per request; narrow since/until`,
      );
    const from = Math.floor(since / PERIOD_MS[period]) * PERIOD_MS[period];
    const buckets = await this.repository.buckets(agentId, period, from, until, [...new Set(filter.metrics)]);
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
