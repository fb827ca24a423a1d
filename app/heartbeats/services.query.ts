import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { pageOffset, type Page, type PageRequest } from '../http/paging.js';
import { firstInOrder } from '../runtime/bounded-selection.js';
import { HeartbeatEngine } from './heartbeat-engine.js';
import { checkServiceName } from './heartbeat-input.js';
import type { ServiceSnapshot, ServiceState } from './service-record.js';
import { serviceDetailsView, serviceView, type ServiceDetailsView, type ServiceView, type StatusCounts } from './heartbeat.views.js';

export const SERVICE_STATES: readonly ServiceState[] = ['new', 'ok', 'error', 'muted', 'maintenance'];
/** What a list can be sorted by; `-` in front reverses it (`-last_beat`: latest first). Ties go by name. */
export const SERVICE_SORTS = ['name', 'state', 'last_beat', 'last_state_change'] as const;
export type ServiceSort = (typeof SERVICE_SORTS)[number];

export interface ServiceFilter {
  state?: ServiceState;
  /** Text the name contains, any case. */
  q?: string;
  sort?: ServiceSort;
  descending?: boolean;
}

/** `sort=state`: problems first. */
const STATE_RANK: Record<ServiceState, number> = { error: 0, new: 1, ok: 2, maintenance: 3, muted: 4 };

const KEYS: Record<Exclude<ServiceSort, 'name'>, (service: ServiceSnapshot) => number> = {
  state: (service) => STATE_RANK[service.state],
  last_beat: (service) => service.lastBeat,
  last_state_change: (service) => service.lastStateChange,
};

/**
 * The heartbeat services as the API and the console read them: filtered, sorted and paged view models.
 * Unfiltered by name (the default) a page is cut from the engine's kept name order; filtered or sorted
 * otherwise, one pass keeps just the services up to the page's end (a bounded heap). So 100,000 services
 * are never sorted per request.
 */
@Injectable()
export class ServicesQuery {
  constructor(private readonly engine: HeartbeatEngine) {}

  list(filter: ServiceFilter, request: PageRequest): Page<ServiceView> {
    const matches = matcher(filter);
    const sort = filter.sort ?? 'name';
    const start = pageOffset(request);
    const count = request.perPage ?? this.engine.services.size;
    if (matches === null && sort === 'name') {
      // Neither filtered nor sorted otherwise: the page is cut from the kept name order.
      const services = this.engine.sliceInNameOrder(start, count, filter.descending);
      return { items: services.map(serviceView), page: request.page, perPage: request.perPage, total: this.engine.services.size };
    }
    // One pass: count what matches, keep the first start + count of them in order (a bounded heap).
    const direction = filter.descending ? -1 : 1;
    const byName = (a: ServiceSnapshot, b: ServiceSnapshot) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const key = sort === 'name' ? null : KEYS[sort];
    const compare = key
      ? (a: ServiceSnapshot, b: ServiceSnapshot) => direction * (key(a) - key(b)) || byName(a, b)
      : (a: ServiceSnapshot, b: ServiceSnapshot) => direction * byName(a, b);
    let total = 0;
    const candidates = this.matching(matches, () => total++);
    const first = firstInOrder(candidates, start + count, compare);
    return { items: first.slice(start).map(serviceView), page: request.page, perPage: request.perPage, total };
  }

  /** One service's view, with its beat history and runs when `details`; 404 when there is none. */
  get(name: string, details: boolean): ServiceView | ServiceDetailsView {
    const service = this.engine.services.get(checkServiceName(name));
    if (!service) throw ApiError.notFound(`There is no heartbeat service "${name}". GET /api/services lists them.`);
    return details ? serviceDetailsView(service) : serviceView(service);
  }

  /** The views of these services, in the order given (names without a service are left out). */
  views(names: Iterable<string>): ServiceView[] {
    const views: ServiceView[] = [];
    for (const name of names) {
      const service = this.engine.services.get(name);
      if (service) views.push(serviceView(service));
    }
    return views;
  }

  /** Lovebeat's /api/status counts: muted, new and maintenance services count as ok. */
  status(): StatusCounts {
    const errors = this.engine.errorServices;
    return { num_ok: this.engine.services.size - errors, num_error: errors };
  }

  /** How many services are in each state (one pass: the console's filter chips). */
  counts(): Record<ServiceState, number> {
    const counts: Record<ServiceState, number> = { new: 0, ok: 0, error: 0, muted: 0, maintenance: 0 };
    for (const service of this.engine.services.values()) counts[service.state]++;
    return counts;
  }

  /** How many service names `test` accepts, and the first `limit` of them in name order (a glob's preview). */
  namesMatching(test: (name: string) => boolean, limit: number): { count: number; names: string[] } {
    let count = 0;
    const names = (function* (services: Iterable<string>) {
      for (const name of services) {
        if (!test(name)) continue;
        count++;
        yield name;
      }
    })(this.engine.services.keys());
    const first = firstInOrder(names, limit, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { count, names: first };
  }

  /** Every service's name and state, in no order (for `[metrics]` gauges). */
  *states(): IterableIterator<{ name: string; state: ServiceState }> {
    for (const service of this.engine.services.values()) yield { name: service.name, state: service.state };
  }

  private *matching(matches: ((service: ServiceSnapshot) => boolean) | null, counted: () => void): IterableIterator<ServiceSnapshot> {
    for (const service of this.engine.services.values()) {
      if (matches && !matches(service)) continue;
      counted();
      yield service;
    }
  }
}

function matcher(filter: ServiceFilter): ((service: ServiceSnapshot) => boolean) | null {
  const text = filter.q?.trim();
  if (!filter.state && !text) return null;
  // Case-insensitive without lowercasing every name per request.
  const contains = text ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : null;
  return (service) => (!filter.state || service.state === filter.state) && (!contains || contains.test(service.name));
}
