import { Controller, Get, Headers, HttpCode, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { RequireOwnToken } from '../tokens/access.decorator.js';
import { RequestToken, type CallerToken } from '../tokens/request-token.decorator.js';
import { AssignPollerDto, RegisterPollerDto } from './poller.dto.js';
import { PollerLinkService } from './poller-link.service.js';
import { PollersService } from './pollers.service.js';

/** SPEC §4 under /api/poller: what a poller does with its own token, and the admin's assignment. */
@Controller('api/poller')
export class PollerApiController {
  constructor(
    private readonly link: PollerLinkService,
    private readonly pollers: PollersService,
  ) {}

  /** Admin only (the guard's default). */
  @Put(':id/assign')
  assign(@IdParam() id: number, @JsonBody('{"monitor_ids": [1, 2, 3]}') body: AssignPollerDto) {
    return this.pollers.assign(id, body.monitor_ids);
  }

  @Post('register')
  @HttpCode(200)
  @RequireOwnToken('poller')
  register(
    @RequestToken() token: CallerToken,
    @JsonBody('{"name": "Frankfurt Office", "location": "FFM", "version": "1.0.0"}') body: RegisterPollerDto,
  ) {
    return this.link.register(token, body);
  }

  @Get('whoami')
  @RequireOwnToken('poller')
  whoami(@RequestToken() token: CallerToken) {
    return this.link.whoami(token);
  }

  @Get('tasks')
  @RequireOwnToken('poller')
  async tasks(
    @RequestToken() token: CallerToken,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const answer = await this.link.tasks(token, ifNoneMatch);
    reply.header('etag', answer.etag).header('cache-control', 'no-cache');
    if (answer.body === null) reply.status(304);
    return answer.body ?? undefined;
  }

  @Post('results')
  @HttpCode(200)
  @RequireOwnToken('poller')
  results(
    @RequestToken() token: CallerToken,
    @JsonBody(
      '{"results": [{"monitor_id": 1, "status": "up", "latency_ms": 12, "message": "HTTP 200", "checked_at": "2026-11-22T12:00:00.000Z"}]}',
    )
    body: Record<string, unknown>,
  ) {
    return this.link.report(token, body);
  }
}
