/** Where a paged list is: the page asked for, its size, and how many items match in all. */
export interface PagePosition {
  page: number;
  perPage: number;
  total: number;
}

/** A pager as `views/partials/console/pager.hbs` draws it. */
export interface PagerView {
  pages: number;
  current: number;
  /** 1-based positions of the first and last item shown (0 and 0 for an empty list). */
  first: number;
  last: number;
  total: number;
  previous: string | null;
  next: string | null;
  firstPage: string | null;
  lastPage: string | null;
  window: { number: number; href: string; current: boolean }[];
  many: boolean;
}

/**
 * Links of a paged list: previous, next, and five page numbers around the current one (with the first
 * and the last page when they are outside). `href(page)` is a console path; a page past the end is
 * shown as the last page.
 */
export function pagerView({ page, perPage, total }: PagePosition, href: (page: number) => string): PagerView {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const current = Math.min(Math.max(1, page), pages);
  const from = Math.max(1, Math.min(current - 2, pages - 4));
  const window = [];
  for (let number = from; number <= Math.min(pages, from + 4); number++)
    window.push({ number, href: href(number), current: number === current });
  return {
    pages,
    current,
    first: total === 0 ? 0 : (current - 1) * perPage + 1,
    last: Math.min(total, current * perPage),
    total,
    previous: current > 1 ? href(current - 1) : null,
    next: current < pages ? href(current + 1) : null,
    firstPage: from > 1 ? href(1) : null,
    lastPage: from + 4 < pages ? href(pages) : null,
    window,
    many: pages > 1,
  };
}

/** `?a=1&b=x` from the pairs whose value is not empty; '' when none is left. */
export function queryString(pairs: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(pairs).filter(
    (entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined && entry[1] !== '',
  );
  return parts.length > 0 ? `?${parts.map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`).join('&')}` : '';
}

/** A query value as one string (the last of repeated ones), or undefined. */
export function queryText(value: unknown): string | undefined {
  const one = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof one === 'string' ? one : undefined;
}
