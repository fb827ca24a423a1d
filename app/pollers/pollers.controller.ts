import { Controller, Delete, Get, Put, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { pageBody } from '../http/paging.js';
import { ListPollersQuery, UpdatePollerDto } from './poller.dto.js';
import { PollersQuery } from './pollers.query.js';
import { PollersService } from './pollers.service.js';

/** SPEC §4, the admin's side: list, show, edit, delete. Admin only (the guard's default). */
@Controller('api/pollers')
export class PollersController {
  constructor(
    private readonly pollers: PollersService,
    private readonly query: PollersQuery,
  ) {}

  @Get()
  async list(@Query() query: ListPollersQuery) {
    const filter = { q: query.q, state: query.state };
    return pageBody('pollers', await this.query.list(filter, { page: query.page ?? 1, perPage: query.per_page ?? 50 }));
  }

  @Get(':id')
  get(@IdParam() id: number) {
    return this.query.get(id);
  }

  @Put(':id')
  update(
    @IdParam() id: number,
    @JsonBody('{"name": "Frankfurt Office", "location": "FFM", "alerts": ["ops-mail"]}') body: UpdatePollerDto,
  ) {
    return this.pollers.update(id, body);
  }

  @Delete(':id')
  remove(@IdParam() id: number) {
    return this.pollers.remove(id);
  }
}
