import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Optional } from './validation.js';

/** Most items one page may hold, for every list. */
export const MAX_PER_PAGE = 500;

/** Which page of a list: `perPage` null means one page with everything (a list that was not paged). */
export interface PageRequest {
  page: number;
  perPage: number | null;
}

/** One page of a list, as every query service returns it: the items, and where they sit in the whole. */
export interface Page<T> {
  items: T[];
  page: number;
  /** Null when the list was not paged (everything is in `items`). */
  perPage: number | null;
  /** Items matching the filter, on all pages. */
  total: number;
}

/** `?page=&per_page=` of a list endpoint. */
export class PageQuery {
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  @Type(() => Number)
  @Optional()
  page?: number;

  @Max(MAX_PER_PAGE, { message: `must be at most ${MAX_PER_PAGE}` })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  @Type(() => Number)
  @Optional()
  per_page?: number;
}

/** The page asked for; without `per_page`, `defaultPerPage` (null: everything, the lists that were never paged). */
export function pageRequest(query: PageQuery, defaultPerPage: number | null): PageRequest {
  const perPage = query.per_page ?? (query.page !== undefined ? (defaultPerPage ?? MAX_PER_PAGE) : defaultPerPage);
  return { page: query.page ?? 1, perPage };
}

/** Where a page starts in the whole list. */
export function pageOffset(request: PageRequest): number {
  return request.perPage === null ? 0 : (request.page - 1) * request.perPage;
}

/** A page cut from a list already filtered and in order. */
export function pageOf<T>(all: readonly T[], request: PageRequest): Page<T> {
  const start = pageOffset(request);
  const items = request.perPage === null ? [...all] : all.slice(start, start + request.perPage);
  return { items, page: request.page, perPage: request.perPage, total: all.length };
}

/** Items mapped, the page kept. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { ...page, items: page.items.map(map) };
}

/** A page as the JSON API answers it: `{"<key>": [...], "page", "per_page", "total"}`. */
export function pageBody<K extends string, T>(
  key: K,
  page: Page<T>,
): { [P in K]: T[] } & { page: number; per_page: number | null; total: number } {
  return { [key]: page.items, page: page.page, per_page: page.perPage, total: page.total } as { [P in K]: T[] } & {
    page: number;
    per_page: number | null;
    total: number;
  };
}
