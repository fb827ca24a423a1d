import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { MonitorRuntime } from '../monitors/monitor-runtime.service.js';
import { Clock } from '../runtime/clock.js';
import type { ListPollersQuery } from './poller.dto.js';
import { PollerRegistry } from './poller-registry.service.js';
import { PollerRepository } from './poller.repository.js';
import { pollerDetailView, pollerView } from './poller.views.js';

/**
 * The pollers' read models for the API and (later) the console: a page of pollers, one poller with the
 * monitors it checks. Live figures (last seen, active, outbox) come from the registry, which holds them
 * between the spaced-out row writes.
 */
@Injectable()
export class PollerQueryService {
  constructor(
    private readonly repository: PollerRepository,
    private readonly registry: PollerRegistry,
    private readonly runtime: MonitorRuntime,
    private readonly clock: Clock,
  ) {}

  async list(query: ListPollersQuery) {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 50;
    const { pollers, total } = await this.repository.page({
      q: query.q?.trim() || undefined,
      offline: query.state === undefined ? undefined : query.state === 'offline',
      page,
      perPage,
    });
    const now = this.clock.now();
    return {
      pollers: pollers.map((row) => {
        const live = this.registry.get(row.id) ?? { poller: row, lastSeenAt: row.lastSeenAt };
        return pollerView(live, this.runtime.monitorsCheckedBy(row.id).length, now);
      }),
      page,
      per_page: perPage,
      total,
    };
  }

  get(id: number) {
    const live = this.registry.get(id);
    if (!live) throw ApiError.notFound(`There is no poller with id ${id}. GET /api/pollers lists them.`);
    return pollerDetailView(live, this.runtime.monitorsCheckedBy(id), this.clock.now());
  }
}
