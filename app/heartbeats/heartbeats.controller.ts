import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageRequest } from '../http/paging.js';
import { lovebeatQuery } from '../http/validation.js';
import { Clock } from '../runtime/clock.js';
import { PublicWhen } from '../tokens/access.decorator.js';
import { DeleteServicesQuery, isPaged, ListServicesQuery, serviceFilter } from './heartbeats.dto.js';
import { HeartbeatsService } from './heartbeats.service.js';
import { ServicesQuery } from './services.query.js';
import { sendStatus } from './status-reply.js';

/**
 * SPEC §6, Lovebeat's HTTP API, admin only except the status. The beat routes (POST /api/services/<name>,
 * /start, /fail) are in beat-routes.ts, on Fastify directly for speed.
 */
@Controller('api')
export class HeartbeatsController {
  constructor(
    private readonly heartbeats: HeartbeatsService,
    private readonly services: ServicesQuery,
    private readonly clock: Clock,
  ) {}

  /** Lovebeat's `{"services", "now"}`; `page`, `per_page` and `total` are added when paging is asked for. */
  @Get('services')
  list(@Query(lovebeatQuery(ListServicesQuery)) checked: object) {
    const query = checked as ListServicesQuery;
    const page = this.services.list(serviceFilter(query), pageRequest(query, null));
    const paging = isPaged(query) ? { page: page.page, per_page: page.perPage, total: page.total } : {};
    return { services: page.items, now: this.clock.now(), ...paging };
  }

  @Get('services/:name')
  get(@Param('name') name: string, @Query('details') details?: string) {
    return { service: this.services.get(name, details !== undefined && details !== '0' && details !== 'false'), now: this.clock.now() };
  }

  @Post('services/:name/mute')
  @HttpCode(200)
  async mute(@Param('name') name: string) {
    await this.heartbeats.mute(name);
    return {};
  }

  @Post('services/:name/unmute')
  @HttpCode(200)
  async unmute(@Param('name') name: string) {
    await this.heartbeats.unmute(name);
    return {};
  }

  @Delete('services')
  removeMatching(@Query() query: DeleteServicesQuery) {
    return this.heartbeats.removeMatching(query.pattern);
  }

  @Delete('services/:name')
  async remove(@Param('name') name: string) {
    await this.heartbeats.remove(name);
    return {};
  }

  @Get('status')
  @PublicWhen((config) => config.http.public_status)
  status(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return sendStatus(request, reply, this.services.status());
  }
}
