import { Body, Post, Query, Req } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { redirect, view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { formErrorsOf, formText } from '../web/form-validation.js';
import { LiveHub } from '../web/live-hub.js';
import { AGENT_RANGES, agentCharts, agentFiguresView, agentRowView, thresholdsFormView, type AgentRange } from './agent-page.view.js';
import { THRESHOLD_KEYS } from './agent-state.js';
import { AGENT_STATES, type AgentState } from './agent.entity.js';
import { AgentService } from './agent.service.js';
import { AgentsQuery } from './agents.query.js';

const LIST_FRAGMENTS = { 'agents-list': 'agents/list' };
const PAGE_FRAGMENTS = {
  'agent-summary': 'agents/summary',
  'agent-figures': 'agents/figures',
  'agent-charts': 'agents/charts',
  'agent-thresholds': 'agents/thresholds',
};
/** Agents on one page of the list; the search and the state filter narrow a long list. */
const LIST_SIZE = 100;
const CHART_METRICS = ['cpu.percent', 'memory.percent', 'disks.percent'];

/**
 * The Agents page and an agent's page (SPEC §8): state with its reason, host, last report and the
 * headline figures as bars; an agent's current CPU, memory, disks, load, network, uptime and clock skew,
 * its history as server-drawn charts, its thresholds (overrides against the defaults) and delete. Live
 * through `agents` (made, edited, deleted, judged) and `agent-reports` (figures, per agent).
 */
@ConsoleController('agents')
export class AgentsPages {
  constructor(
    private readonly query: AgentsQuery,
    private readonly agents: AgentService,
    private readonly clock: Clock,
    live: LiveHub,
  ) {
    live.forward('agent.changed', 'agents', (event) => event.agentId);
    live.forward('agent.state-changed', 'agents', (event) => event.agentId);
    live.forward('agent.mirrored', 'agents', (event) => event.agentId);
    live.forward('agent.reported', 'agent-reports', (event) => event.agentId);
  }

  @Page('', { title: 'Agents', nav: { order: 400, group: 'Infrastructure' } })
  list(@Query() query: Record<string, unknown>) {
    const q = (formText(query.q) ?? '').slice(0, 200);
    const stateText = formText(query.state) ?? '';
    const state = (AGENT_STATES as readonly string[]).includes(stateText) ? (stateText as AgentState) : null;
    const page = this.query.list({ q, status: state ?? undefined, sort: 'status', order: 'asc' }, { page: 1, perPage: LIST_SIZE });
    const rows = page.items.map((agent) => agentRowView(agent, this.query.get(agent.id).thresholds));
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (state) params.set('state', state);
    const counts = Object.fromEntries(AGENT_STATES.map((one) => [one, 0])) as Record<AgentState, number>;
    const all = this.query.list({}, { page: 1, perPage: null }).items;
    for (const agent of all) counts[agent.status]++;
    return view(
      'agents/index',
      {
        title: 'Agents',
        q,
        state,
        states: AGENT_STATES.map((value) => ({ value, selected: value === state })),
        rows,
        total: page.total,
        everyAgent: all.length,
        counts: AGENT_STATES.filter((one) => counts[one] > 0).map((one) => ({ state: one, count: counts[one] })),
        filtered: q !== '' || state !== null,
        more: page.total > rows.length,
        listHref: `agents${params.size > 0 ? `?${params.toString()}` : ''}`,
      },
      { fragments: LIST_FRAGMENTS },
    );
  }

  /** Without JavaScript, deleting asks on a page of its own (with it, the button asks in a dialog). */
  @Page(':id/delete', { title: 'Delete agent' })
  confirmDelete(@IdParam() id: number) {
    const agent = this.query.get(id);
    return view('agents/delete', { title: `Delete ${agent.name}`, agent });
  }

  @Post(':id/delete')
  async remove(@IdParam() id: number) {
    await this.agents.remove(id);
    return redirect('agents');
  }

  @Page(':id', { title: 'Agent' })
  async show(@Req() request: ConsoleRequest, @IdParam() id: number, @Query('range') rangeParam?: string) {
    return this.pageView(request, id, rangeParam, null, {});
  }

  /** Only the thresholds (name and alerts stay); a refused value comes back next to its field (422). */
  @Post(':id/thresholds')
  async setThresholds(@Req() request: ConsoleRequest, @IdParam() id: number, @Body() body: Record<string, unknown>) {
    this.query.get(id); // 404 before reading the form
    const submitted = Object.fromEntries(THRESHOLD_KEYS.map((key) => [key, formText(body?.[key]) ?? '']));
    try {
      await this.agents.setThresholds(id, submitted);
    } catch (error) {
      if (error instanceof ValidationFailure) return this.pageView(request, id, formText(body?.range), submitted, formErrorsOf(error), 422);
      throw error;
    }
    return redirect(
      `agents/${id}${formText(body?.range) && formText(body?.range)! in AGENT_RANGES ? `?range=${formText(body?.range)}` : ''}`,
    );
  }

  private async pageView(
    request: ConsoleRequest,
    id: number,
    rangeParam: string | undefined,
    submitted: Record<string, string> | null,
    errors: Record<string, string>,
    status = 200,
  ) {
    const range: AgentRange = rangeParam && rangeParam in AGENT_RANGES ? (rangeParam as AgentRange) : '24h';
    const agent = this.query.get(id);
    // A live refresh asks for one fragment: the charts (the only part that reads the database) only when asked.
    const target = isHtmxRequest(request) ? request.headers['hx-target'] : undefined;
    const wantsCharts = typeof target !== 'string' || !Object.hasOwn(PAGE_FRAGMENTS, target) || target === 'agent-charts';
    const to = this.clock.now();
    const from = to - AGENT_RANGES[range].ms;
    const charts = wantsCharts
      ? agentCharts(
          (await this.query.history(id, { period: AGENT_RANGES[range].period, since: from, until: to, metrics: CHART_METRICS })).metrics,
          range,
          from,
          to,
        )
      : null;
    const rangeHref = (key: string) => `agents/${id}?range=${key}`;
    return view(
      'agents/show',
      {
        title: agent.name,
        agent: {
          ...agent,
          since: agent.since ? Date.parse(agent.since) : null,
          lastSeen: agent.last_seen_at ? Date.parse(agent.last_seen_at) : null,
          createdAt: agent.created_at ? Date.parse(agent.created_at) : null,
        },
        figures: agentFiguresView(agent),
        charts: charts && {
          ...charts,
          range,
          href: rangeHref(range),
          ranges: Object.entries(AGENT_RANGES).map(([key, value]) => ({
            key,
            description: value.label,
            current: key === range,
            href: rangeHref(key),
          })),
        },
        thresholds: { ...thresholdsFormView(id, this.query.thresholds(id), submitted, errors), range },
      },
      { status, fragments: PAGE_FRAGMENTS },
    );
  }
}
