import { Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { pageBody } from '../http/paging.js';
import { HistoryQuery, ListMonitorsQuery, MonitorBodyDto, parseTime, ResultsQuery } from './monitor.dto.js';
import { MonitorService } from './monitor.service.js';
import { MonitorsQuery } from './monitors.query.js';

const EXAMPLE = '{"name": "Shop", "type": "http", "target": "https://shop.example.com/"}';

/** SPEC §3. Admin only (the guard's default). */
@Controller('api/monitors')
export class MonitorsController {
  constructor(
    private readonly monitors: MonitorService,
    private readonly query: MonitorsQuery,
  ) {}

  @Post()
  @HttpCode(201)
  create(@JsonBody(EXAMPLE) body: MonitorBodyDto) {
    return this.monitors.create(body);
  }

  @Get()
  async list(@Query() query: ListMonitorsQuery) {
    const filter = { status: query.status, type: query.type, q: query.q };
    return pageBody('monitors', await this.query.list(filter, { page: query.page ?? 1, perPage: query.per_page ?? 50 }));
  }

  @Get(':id')
  get(@IdParam() id: number) {
    return this.query.get(id);
  }

  @Put(':id')
  update(@IdParam() id: number, @JsonBody(EXAMPLE) body: MonitorBodyDto) {
    return this.monitors.update(id, body);
  }

  @Delete(':id')
  remove(@IdParam() id: number) {
    return this.monitors.remove(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@IdParam() id: number) {
    return this.monitors.pause(id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@IdParam() id: number) {
    return this.monitors.resume(id);
  }

  @Get(':id/results')
  async results(@IdParam() id: number, @Query() query: ResultsQuery) {
    const filter = { source: query.source, since: parseTime(query.since), until: parseTime(query.until), limit: query.limit ?? 100 };
    return { monitor_id: id, results: await this.query.resultsOf(id, filter) };
  }

  @Get(':id/incidents')
  async incidents(@IdParam() id: number) {
    const { incidentNumber, incidents } = await this.query.incidentsOf(id);
    return { monitor_id: id, incident_number: incidentNumber, incidents };
  }

  @Get(':id/history')
  async history(@IdParam() id: number, @Query() query: HistoryQuery) {
    const period = query.period ?? 'hour';
    const buckets = await this.query.historyOf(id, { period, since: parseTime(query.since), until: parseTime(query.until) });
    return { monitor_id: id, period, buckets };
  }
}
