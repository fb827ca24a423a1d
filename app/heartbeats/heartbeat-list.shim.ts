import { Injectable } from '@nestjs/common';
import { HeartbeatsService } from './heartbeats.service.js';
import type { ServiceState } from './service-record.js';

/*
 * TEMPORARY: the shape of the ServicesQuery that the read-models work brings (paged, sorted, filtered
 * service views), over today's HeartbeatsService, so the Heartbeats page is written against it. Replaced
 * by that query service when it lands; until then a page sorts the whole list (fine for thousands of
 * services, slow at 100,000).
 */

export type ServiceView = ReturnType<HeartbeatsService['list']>['services'][number];
export type ServiceDetailsView = ServiceView & {
  beat_history: number[];
  intervals: number[];
  runs: NonNullable<ServiceView['last_run']>[];
};
export const SERVICE_STATES: readonly ServiceState[] = ['new', 'ok', 'error', 'muted', 'maintenance'];
export const SERVICE_SORTS = ['name', 'state', 'last_beat', 'last_state_change'] as const;
export type ServiceSort = (typeof SERVICE_SORTS)[number];

export interface ServiceFilter {
  state?: ServiceState;
  q?: string;
  sort?: ServiceSort;
  descending?: boolean;
}

export interface PageRequest {
  page: number;
  perPage: number | null;
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number | null;
  total: number;
}

const STATE_RANK: Record<ServiceState, number> = { error: 0, new: 1, ok: 2, maintenance: 3, muted: 4 };

@Injectable()
export class ServicesQuery {
  constructor(private readonly heartbeats: HeartbeatsService) {}

  list(filter: ServiceFilter, request: PageRequest): Page<ServiceView> {
    const text = filter.q?.trim().toLowerCase();
    const direction = filter.descending ? -1 : 1;
    const key: ((service: ServiceView) => number) | null =
      filter.sort === 'state'
        ? (service) => STATE_RANK[service.state]
        : filter.sort === 'last_beat'
          ? (service) => service.last_beat
          : filter.sort === 'last_state_change'
            ? (service) => service.last_state_change
            : null;
    const matching = this.heartbeats
      .list()
      .services.filter(
        (service) => (!filter.state || service.state === filter.state) && (!text || service.name.toLowerCase().includes(text)),
      );
    matching.sort((a, b) => direction * ((key ? key(a) - key(b) : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
    const start = request.perPage === null ? 0 : (request.page - 1) * request.perPage;
    const items = request.perPage === null ? matching : matching.slice(start, start + request.perPage);
    return { items, page: request.page, perPage: request.perPage, total: matching.length };
  }

  get(name: string, details: boolean): ServiceView | ServiceDetailsView {
    return this.heartbeats.get(name, details).service as ServiceView | ServiceDetailsView;
  }

  /** Every service's name and state, in no order. */
  *states(): IterableIterator<{ name: string; state: ServiceState }> {
    for (const service of this.heartbeats.list().services) yield { name: service.name, state: service.state };
  }

  /** Counts by state (the page's filter chips). */
  counts(): Record<ServiceState, number> {
    const counts: Record<ServiceState, number> = { new: 0, ok: 0, error: 0, muted: 0, maintenance: 0 };
    for (const service of this.heartbeats.list().services) counts[service.state]++;
    return counts;
  }
}
