import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import type { Page, PageRequest } from '../http/paging.js';
import { MonitorRuntime } from '../monitors/monitor-runtime.service.js';
import { Clock } from '../runtime/clock.js';
import type { PollerState } from './poller-liveness.js';
import { PollerRegistry } from './poller-registry.service.js';
import { PollerRepository } from './poller.repository.js';
import {
  activeSourceChoices,
  pollerDetailView,
  pollerView,
  type PollerDetailView,
  type PollerView,
  type SourceChoice,
} from './poller.views.js';

export interface PollerFilter {
  /** Text in the name or the location, any case. */
  q?: string;
  state?: PollerState;
}

/**
 * Pollers as the API and the console read them: a filtered page in name order (from the database), one
 * poller with the monitors it checks, and the active pollers a monitor's Sources field offers. Live
 * figures (last seen, active, outbox) come from the registry, which holds them between spaced-out row writes.
 */
@Injectable()
export class PollersQuery {
  constructor(
    private readonly repository: PollerRepository,
    private readonly registry: PollerRegistry,
    private readonly runtime: MonitorRuntime,
    private readonly clock: Clock,
  ) {}

  async list(filter: PollerFilter, request: PageRequest & { perPage: number }): Promise<Page<PollerView>> {
    const { pollers, total } = await this.repository.page({
      q: filter.q?.trim() || undefined,
      offline: filter.state === undefined ? undefined : filter.state === 'offline',
      page: request.page,
      perPage: request.perPage,
    });
    const now = this.clock.now();
    const items = pollers.map((row) => {
      const live = this.registry.get(row.id) ?? { poller: row, lastSeenAt: row.lastSeenAt };
      return pollerView(live, this.runtime.monitorsCheckedBy(row.id).length, now);
    });
    return { items, page: request.page, perPage: request.perPage, total };
  }

  /** 404 when there is no poller with that id. */
  get(id: number): PollerDetailView {
    const live = this.registry.get(id);
    if (!live) throw ApiError.notFound(`There is no poller with id ${id}. GET /api/pollers lists them.`);
    return pollerDetailView(live, this.runtime.monitorsCheckedBy(id), this.clock.now());
  }

  /**
   * The pollers a monitor's Sources field offers (SPEC §4: only active ones, heard from within 90 s), by
   * name. A form editing a monitor also shows the pollers it already names, active or not.
   */
  activeSources(): SourceChoice[] {
    return activeSourceChoices(this.registry.all(), this.clock.now());
  }
}
