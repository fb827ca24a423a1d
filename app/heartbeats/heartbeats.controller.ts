import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PublicWhen } from '../tokens/access.decorator.js';
import { HeartbeatsService } from './heartbeats.service.js';
import { sendStatus } from './status-reply.js';

const beatsArePublic = PublicWhen((config) => !config.heartbeat.require_token, 'ingest');

/** SPEC §6, Lovebeat's HTTP API. Beats are open unless [heartbeat] require_token; the rest is admin's. */
@Controller('api')
export class HeartbeatsController {
  constructor(private readonly heartbeats: HeartbeatsService) {}

  @Post('services/:name')
  @HttpCode(200)
  @beatsArePublic
  beat(@Param('name') name: string, @Query() query: Record<string, unknown>, @Body() body: unknown) {
    this.heartbeats.beat(name, query, body);
    return {};
  }

  @Post('services/:name/start')
  @HttpCode(200)
  @beatsArePublic
  start(@Param('name') name: string) {
    this.heartbeats.start(name);
    return {};
  }

  @Post('services/:name/fail')
  @HttpCode(200)
  @beatsArePublic
  fail(@Param('name') name: string) {
    this.heartbeats.fail(name);
    return {};
  }

  @Get('services')
  list() {
    return this.heartbeats.list();
  }

  @Get('services/:name')
  get(@Param('name') name: string, @Query('details') details?: string) {
    return this.heartbeats.get(name, details !== undefined && details !== '0' && details !== 'false');
  }

  @Post('services/:name/mute')
  @HttpCode(200)
  mute(@Param('name') name: string) {
    this.heartbeats.mute(name);
    return {};
  }

  @Post('services/:name/unmute')
  @HttpCode(200)
  unmute(@Param('name') name: string) {
    this.heartbeats.unmute(name);
    return {};
  }

  @Delete('services/:name')
  remove(@Param('name') name: string) {
    this.heartbeats.remove(name);
    return {};
  }

  @Get('status')
  @PublicWhen((config) => config.http.public_status)
  status(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return sendStatus(request, reply, this.heartbeats.status());
  }
}
