import { Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { HistoryQuery, ListMonitorsQuery, MonitorBodyDto, ResultsQuery } from './monitor.dto.js';
import { MonitorService } from './monitor.service.js';

const EXAMPLE = '{"name": "Shop", "type": "http", "target": "https://shop.example.com/"}';

/** SPEC §3. Admin only (the guard's default). */
@Controller('api/monitors')
export class MonitorsController {
  constructor(private readonly monitors: MonitorService) {}

  @Post()
  @HttpCode(201)
  create(@JsonBody(EXAMPLE) body: MonitorBodyDto) {
    return this.monitors.create(body);
  }

  @Get()
  list(@Query() query: ListMonitorsQuery) {
    return this.monitors.list(query);
  }

  @Get(':id')
  get(@IdParam() id: number) {
    return this.monitors.get(id);
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
  results(@IdParam() id: number, @Query() query: ResultsQuery) {
    return this.monitors.resultsOf(id, query);
  }

  @Get(':id/incidents')
  incidents(@IdParam() id: number) {
    return this.monitors.incidentsOf(id);
  }

  @Get(':id/history')
  history(@IdParam() id: number, @Query() query: HistoryQuery) {
    return this.monitors.historyOf(id, query);
  }
}
