import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendStatus } from '../heartbeats/status-reply.js';
import { JsonBody } from '../http/json-body.js';
import { PublicWhen } from '../tokens/access.decorator.js';
import { CreateAlarmDto } from './alarm.dto.js';
import { AlarmsService } from './alarms.service.js';

/** SPEC §6 alarms. Admin only, except each alarm's status (open with [http] public_status). */
@Controller('api/alarms')
export class AlarmsController {
  constructor(private readonly alarms: AlarmsService) {}

  @Get()
  list() {
    return this.alarms.list();
  }

  @Post()
  @HttpCode(201)
  async create(@JsonBody('{"name": "backup-jobs", "pattern": "backup.*"}') body: CreateAlarmDto) {
    return { definition: await this.alarms.create(body) };
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.alarms.get(name);
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
    return sendStatus(request, reply, this.alarms.status(name));
  }
}
