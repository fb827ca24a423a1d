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
 * By name (the default) it walks the engine's kept order, so 100,000 services are never sorted per
 * request; by another key it selects just the page's services (a bounded heap), so a page costs one pass.
 */
@Injectable()
export class ServicesQuery {
  constructor(private readonly engine: HeartbeatEngine) {}

  list(filter: ServiceFilter, request: PageRequest): Page<ServiceView> {
    const matches = matcher(filter);
    const start = pageOffset(request);
    const end = request.perPage === null ? Infinity : start + request.perPage;
    if ((filter.sort ?? 'name') === 'name') {
      const names = this.engine.sortedNames();
      const unfiltered = matches === null;
      const items: ServiceView[] = [];
      let total = 0;
      for (let index = 0; index < names.length; index++) {
        const name = names[filter.descending ? names.length - 1 - index : index]!;
        const service = this.engine.services.get(name)!;
        if (!unfiltered && !matches(service)) continue;
        if (total >= start && total < end) items.push(serviceView(service));
        total++;
        // Without a filter the total is known: stop once the page is full.
        if (unfiltered && total >= end) return { items, page: request.page, perPage: request.perPage, total: names.length };
      }
      return { items, page: request.page, perPage: request.perPage, total };
    }
    const key = KEYS[filter.sort as Exclude<ServiceSort, 'name'>];
    const direction = filter.descending ? -1 : 1;
    const compare = (a: ServiceSnapshot, b: ServiceSnapshot) => direction * (key(a) - key(b)) || (a.name < b.name ? -1 : 1);
    let total = 0;
    const candidates = this.matching(matches, () => total++);
    const first = firstInOrder(candidates, end === Infinity ? this.engine.services.size : end, compare);
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
  const text = filter.q?.trim().toLowerCase();
  if (!filter.state && !text) return null;
  return (service) => (!filter.state || service.state === filter.state) && (!text || service.name.toLowerCase().includes(text));
}
