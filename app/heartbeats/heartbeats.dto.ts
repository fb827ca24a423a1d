import { IsIn, IsString, Length, MaxLength } from 'class-validator';
import { PageQuery } from '../http/paging.js';
import { Optional } from '../http/validation.js';
import type { ServiceState } from './service-record.js';
import { SERVICE_SORTS, SERVICE_STATES, type ServiceFilter, type ServiceSort } from './services.query.js';

/** DELETE /api/services?pattern=<glob>: which services to delete at once. */
export class DeleteServicesQuery {
  @Length(1, 1024, { message: 'must be a glob of 1 to 1024 characters, e.g. "junk.*" ("*" deletes every service)' })
  @IsString({ message: 'must be a glob like "junk.*", given once' })
  pattern!: string;
}

/** GET /api/services: Lovebeat's list, everything by name unless paged, filtered or sorted. */
export class ListServicesQuery extends PageQuery {
  @IsIn(SERVICE_STATES, { message: `must be one of ${SERVICE_STATES.join(', ')}` })
  @Optional()
  state?: ServiceState;

  @MaxLength(255, { message: 'must be at most 255 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;

  @IsIn([...SERVICE_SORTS, ...SERVICE_SORTS.map((sort) => `-${sort}`)], {
    message: `must be one of ${SERVICE_SORTS.join(', ')}, or one of them after "-" for the reverse order`,
  })
  @Optional()
  sort?: string;
}

/** The filter a list query asks for. */
export function serviceFilter(query: ListServicesQuery): ServiceFilter {
  const descending = query.sort?.startsWith('-') ?? false;
  return {
    state: query.state,
    q: query.q,
    sort: (query.sort?.replace(/^-/, '') as ServiceSort | undefined) ?? 'name',
    descending,
  };
}

/** Whether the list was asked for page by page (Lovebeat's clients never do: they get everything, as before). */
export function isPaged(query: PageQuery): boolean {
  return query.page !== undefined || query.per_page !== undefined;
}
