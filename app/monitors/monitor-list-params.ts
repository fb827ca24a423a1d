import { MONITOR_STATES, type MonitorState } from './monitor.entity.js';
import { MONITOR_SORTS, type MonitorSort } from './monitor-overview.query.js';
import { pagerView, type PagerView } from '../web/pager.js';

export const PAGE_SIZES = [25, 50, 100] as const;

/** A monitors list as its URL says it: everything that decides what is shown, so a link is a bookmark. */
export interface MonitorListParams {
  state: MonitorState | null;
  type: string | null;
  q: string;
  sort: MonitorSort;
  descending: boolean;
  page: number;
  perPage: number;
}

const DEFAULTS: MonitorListParams = { state: null, type: null, q: '', sort: 'name', descending: false, page: 1, perPage: 50 };

/** Sorts whose natural first look is descending (the newest change first). */
const DESCENDING_FIRST = new Set<MonitorSort>(['last_change']);

const first = (value: unknown): string | undefined => {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' ? one : undefined;
};

/**
 * The list's query string, read leniently: a value that makes no sense (a hand-edited URL, an old
 * bookmark) falls back to its default instead of an error page.
 */
export function readListParams(query: Record<string, unknown>, defaults: Partial<MonitorListParams> = {}): MonitorListParams {
  const base = { ...DEFAULTS, ...defaults };
  const state = first(query.state);
  const type = first(query.type)?.trim();
  const sort = first(query.sort);
  const dir = first(query.dir);
  const page = Number(first(query.page));
  const perPage = Number(first(query.per_page));
  const chosenSort = MONITOR_SORTS.includes(sort as MonitorSort) ? (sort as MonitorSort) : base.sort;
  return {
    state: MONITOR_STATES.includes(state as MonitorState) ? (state as MonitorState) : base.state,
    type: type && /^[a-z][a-z0-9-]{0,31}$/.test(type) ? type : base.type,
    q: (first(query.q) ?? base.q).trim().slice(0, 200),
    sort: chosenSort,
    descending: dir === 'desc' ? true : dir === 'asc' ? false : sort === undefined ? base.descending : DESCENDING_FIRST.has(chosenSort),
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    perPage: (PAGE_SIZES as readonly number[]).includes(perPage) ? perPage : base.perPage,
  };
}

/** The query string for `params` (defaults left out, so URLs stay short), with `?` when not empty. */
export function listQuery(params: MonitorListParams, defaults: Partial<MonitorListParams> = {}): string {
  const base = { ...DEFAULTS, ...defaults };
  const parts: [string, string][] = [];
  if (params.type) parts.push(['type', params.type]);
  if (params.state) parts.push(['state', params.state]);
  if (params.q) parts.push(['q', params.q]);
  if (params.sort !== base.sort || params.descending !== base.descending) {
    parts.push(['sort', params.sort]);
    parts.push(['dir', params.descending ? 'desc' : 'asc']);
  }
  if (params.perPage !== base.perPage) parts.push(['per_page', String(params.perPage)]);
  if (params.page !== 1) parts.push(['page', String(params.page)]);
  return parts.length > 0 ? `?${parts.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}` : '';
}

/** Links of a paged list: previous, next and a window of page numbers around the current one (the console's pager). */
export function pagination(params: MonitorListParams, total: number, href: (page: number) => string): PagerView {
  return pagerView({ page: params.page, perPage: params.perPage, total }, href);
}
