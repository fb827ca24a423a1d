import { Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { pageBody, pageRequest } from '../http/paging.js';
import { ListMaintenanceQuery, MaintenanceWindowDto } from './maintenance.dto.js';
import { MaintenanceQuery } from './maintenance.query.js';
import { MaintenanceWindowsService } from './maintenance-windows.service.js';

const EXAMPLE = '{"name": "patch night", "starts_at": "2026-11-25T22:00:00Z", "ends_at": "2026-11-25T23:30:00Z", "all": true}';

/** SPEC §7 maintenance windows. Admin token. */
@Controller('api/maintenance')
export class MaintenanceController {
  constructor(
    private readonly windows: MaintenanceWindowsService,
    private readonly query: MaintenanceQuery,
  ) {}

  @Get()
  async list(@Query() query: ListMaintenanceQuery) {
    const active = query.active === undefined ? undefined : query.active === 'true';
    return pageBody('windows', await this.query.list({ active, q: query.q }, pageRequest(query, null)));
  }

  @Post()
  @HttpCode(201)
  create(@JsonBody(EXAMPLE) body: MaintenanceWindowDto) {
    return this.windows.create(body);
  }

  @Get(':id')
  get(@IdParam() id: number) {
    return this.query.get(id);
  }

  @Put(':id')
  update(@IdParam() id: number, @JsonBody(EXAMPLE) body: MaintenanceWindowDto) {
    return this.windows.update(id, body);
  }

  @Delete(':id')
  remove(@IdParam() id: number) {
    return this.windows.remove(id);
  }
}
