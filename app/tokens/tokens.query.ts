import { Injectable } from '@nestjs/common';
import { pageOffset, type Page, type PageRequest } from '../http/paging.js';
import { Clock } from '../runtime/clock.js';
import { tokenView, type TokenView } from './token.dto.js';
import { TokenRepository, type TokenFilter } from './token.repository.js';

/** API tokens as the API and the console read them: oldest first, filtered and paged in the database, never a secret. */
@Injectable()
export class TokensQuery {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly clock: Clock,
  ) {}

  async list(filter: TokenFilter, request: PageRequest): Promise<Page<TokenView>> {
    const now = this.clock.now();
    const { tokens, total } = await this.tokens.page(
      { ...filter, q: filter.q?.trim() || undefined },
      now,
      pageOffset(request),
      request.perPage,
    );
    return { items: tokens.map((token) => tokenView(token, now)), page: request.page, perPage: request.perPage, total };
  }
}
