import { Controller, Delete, Get, Put, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { AgentQueryService } from './agent-query.service.js';
import { AgentService } from './agent.service.js';
import { AgentBodyDto, AgentMetricsQuery, ListAgentsQuery } from './agent.dto.js';

const EXAMPLE = '{"name": "web1", "thresholds": {"disk_percent": 95}, "alerts": ["ops-mail"]}';

/** SPEC §5, the admin side. Admin only (the guard's default). */
@Controller('api/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentService,
    private readonly query: AgentQueryService,
  ) {}

  @Get()
  list(@Query() query: ListAgentsQuery) {
    return this.query.list(query);
  }

  @Get(':id')
  get(@IdParam() id: number) {
    return this.query.detail(id);
  }

  @Get(':id/metrics')
  metrics(@IdParam() id: number, @Query() query: AgentMetricsQuery) {
    return this.query.history(id, query);
  }

  @Put(':id')
  update(@IdParam() id: number, @JsonBody(EXAMPLE) body: AgentBodyDto) {
    return this.agents.update(id, body);
  }

  @Delete(':id')
  remove(@IdParam() id: number) {
    return this.agents.remove(id);
  }
}
