import { Controller, Delete, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { JsonBody } from '../http/json-body.js';
import { Clock } from '../runtime/clock.js';
import { pageBody, pageRequest } from '../http/paging.js';
import { CreateTokenDto, issuedTokenView, ListTokensQuery, tokenView } from './token.dto.js';
import { TokenService } from './token.service.js';
import { TokensQuery } from './tokens.query.js';

/** SPEC §2. Admin only (the guard's default). Responses with secrets are never cached. */
@Controller('api/tokens')
export class TokensController {
  constructor(
    private readonly tokens: TokenService,
    private readonly query: TokensQuery,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  async create(@JsonBody('{"name": "web-01", "type": "agent"}') body: CreateTokenDto) {
    const { token, secret } = await this.tokens.issue(body.name.trim(), body.type, body.expires_in_days);
    return issuedTokenView(token, secret);
  }

  @Get()
  async list(@Query() query: ListTokensQuery) {
    return pageBody('tokens', await this.query.list({ type: query.type, state: query.state, q: query.q }, pageRequest(query, null)));
  }

  @Delete(':id')
  async revoke(@IdParam() id: number) {
    return tokenView(await this.tokens.revoke(id), this.clock.now());
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async rotate(@IdParam() id: number) {
    const { token, secret } = await this.tokens.rotate(id);
    return issuedTokenView(token, secret);
  }
}
