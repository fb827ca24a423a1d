import { Controller, Delete, Get, Put, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { pageBody, pageRequest } from '../http/paging.js';
import { optionalTimeParam } from '../http/time-param.js';
import { AgentsQuery } from './agents.query.js';
import { AgentService } from './agent.service.js';
import { AgentBodyDto, AgentMetricsQuery, ListAgentsQuery } from './agent.dto.js';

const EXAMPLE = '{"name": "web1", "thresholds": {"disk_percent": 95}, "alerts": ["ops-mail"]}';
const THRESHOLDS_EXAMPLE = '{"disk_percent": 95, "cpu_minutes": 10}';

/** SPEC §5, the admin side. Admin only (the guard's default). */
@Controller('api/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentService,
    private readonly query: AgentsQuery,
  ) {}

  @Get()
  list(@Query() query: ListAgentsQuery) {
    const filter = { status: query.status, q: query.q, sort: query.sort ?? 'name', order: query.order ?? 'asc' } as const;
    return { ...pageBody('agents', this.query.list(filter, pageRequest(query, 50))), sort: filter.sort, order: filter.order };
  }

  @Get(':id')
  get(@IdParam() id: number) {
    return this.query.get(id);
  }

  @Get(':id/metrics')
  metrics(@IdParam() id: number, @Query() query: AgentMetricsQuery) {
    return this.query.history(id, {
      period: query.period ?? 'minute',
      since: optionalTimeParam(query.since),
      until: optionalTimeParam(query.until),
      metrics: query.metric ? query.metric.split(',') : [],
    });
  }

  @Put(':id')
  update(@IdParam() id: number, @JsonBody(EXAMPLE) body: AgentBodyDto) {
    return this.agents.update(id, body);
  }

  @Get(':id/thresholds')
  thresholds(@IdParam() id: number) {
    return { agent_id: id, thresholds: this.query.thresholds(id) };
  }

  /** Only the threshold overrides (the thresholds form); name and alerts stay. */
  @Put(':id/thresholds')
  setThresholds(@IdParam() id: number, @JsonBody(THRESHOLDS_EXAMPLE) body: Record<string, unknown>) {
    return this.agents.setThresholds(id, body);
  }

  @Delete(':id')
  remove(@IdParam() id: number) {
    return this.agents.remove(id);
  }
}
