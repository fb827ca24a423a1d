import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendStatus } from '../heartbeats/status-reply.js';
import { isPaged } from '../heartbeats/heartbeats.dto.js';
import { JsonBody } from '../http/json-body.js';
import { pageRequest } from '../http/paging.js';
import { lovebeatQuery } from '../http/validation.js';
import { Clock } from '../runtime/clock.js';
import { PublicWhen } from '../tokens/access.decorator.js';
import { CreateAlarmDto, ListAlarmsQuery } from './alarm.dto.js';
import { AlarmsQuery } from './alarms.query.js';
import { AlarmsService } from './alarms.service.js';

/** SPEC §6 alarms. Admin only, except each alarm's status (open with [http] public_status). */
@Controller('api/alarms')
export class AlarmsController {
  constructor(
    private readonly alarms: AlarmsService,
    private readonly query: AlarmsQuery,
    private readonly clock: Clock,
  ) {}

  /** Lovebeat's `{"alarms", "now"}` with Pulse's `definitions`; `page`, `per_page` and `total` when paging is asked for. */
  @Get()
  list(@Query(lovebeatQuery(ListAlarmsQuery)) checked: object) {
    const query = checked as ListAlarmsQuery;
    const page = this.query.list({ state: query.state, q: query.q }, pageRequest(query, null));
    const paging = isPaged(query) ? { page: page.page, per_page: page.perPage, total: page.total } : {};
    return { alarms: page.items, definitions: this.query.definitions(), now: this.clock.now(), ...paging };
  }

  @Post()
  @HttpCode(201)
  async create(@JsonBody('{"name": "backup-jobs", "pattern": "backup.*"}') body: CreateAlarmDto) {
    return { definition: await this.alarms.create(body) };
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return { ...this.query.get(name), now: this.clock.now() };
  }

  /** Pulse: new patterns or alerts for a definition made through the API. */
  @Put(':name')
  async update(@Param('name') name: string, @JsonBody('{"name": "backup-jobs", "pattern": "backup.*"}') body: CreateAlarmDto) {
    return { definition: await this.alarms.update(name, body) };
  }

  @Delete(':name')
  async remove(@Param('name') name: string) {
    await this.alarms.remove(name);
    return {};
  }

  @Get(':name/status')
  @PublicWhen((config) => config.http.public_status)
  status(@Param('name') name: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return sendStatus(request, reply, this.query.status(name));
  }
}
