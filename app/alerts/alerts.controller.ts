import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { JsonBody } from '../http/json-body.js';
import { AlertChannelDto, DeliveriesQuery } from './alert.dto.js';
import { AlertsService } from './alerts.service.js';

const EXAMPLE = '{"name": "ops", "type": "mail", "settings": {"to": "ops@example.com"}}';

/** SPEC §7: alert channels, test sends and the delivery log. Admin token. */
@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  list() {
    return this.alerts.list();
  }

  @Post()
  @HttpCode(201)
  create(@JsonBody(EXAMPLE) body: AlertChannelDto) {
    return this.alerts.create(body);
  }

  @Get('deliveries')
  deliveries(@Query() query: DeliveriesQuery) {
    return this.alerts.log(query);
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.alerts.get(name);
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
