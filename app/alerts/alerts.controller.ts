import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { JsonBody } from '../http/json-body.js';
import { pageBody, pageRequest } from '../http/paging.js';
import { AlertChannelDto, DeliveriesQuery, ListChannelsQuery } from './alert.dto.js';
import { AlertsQuery } from './alerts.query.js';
import { AlertsService } from './alerts.service.js';

const EXAMPLE = '{"name": "ops", "type": "mail", "settings": {"to": "ops@example.com"}}';

/** SPEC §7: alert channels, test sends and the delivery log. Admin token. */
@Controller('api/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly query: AlertsQuery,
  ) {}

  @Get()
  async list(@Query() query: ListChannelsQuery) {
    return pageBody('alerts', await this.query.list({ q: query.q, type: query.type, source: query.source }, pageRequest(query, null)));
  }

  @Post()
  @HttpCode(201)
  create(@JsonBody(EXAMPLE) body: AlertChannelDto) {
    return this.alerts.create(body);
  }

  @Get('deliveries')
  async deliveries(@Query() query: DeliveriesQuery) {
    const filter = { channel: query.channel, status: query.status, beforeId: query.before };
    const page = { page: query.page ?? 1, perPage: query.per_page ?? query.limit ?? 100 };
    return pageBody('deliveries', await this.query.deliveryLog(filter, page));
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.query.get(name);
  }

  @Put(':name')
  update(@Param('name') name: string, @JsonBody(EXAMPLE) body: AlertChannelDto) {
    return this.alerts.update(name, body);
  }

  @Delete(':name')
  remove(@Param('name') name: string) {
    return this.alerts.remove(name);
  }

  @Post(':name/test')
  @HttpCode(200)
  test(@Param('name') name: string) {
    return this.alerts.test(name);
  }
}
