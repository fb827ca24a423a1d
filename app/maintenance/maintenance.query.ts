import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { pageOf, type Page, type PageRequest } from '../http/paging.js';
import { Clock } from '../runtime/clock.js';
import { maintenanceView, type MaintenanceView } from './maintenance.dto.js';
import { MaintenanceRepository } from './maintenance.repository.js';
import { MaintenanceService } from './maintenance.service.js';
import { nextOccurrence, type MaintenanceWindow } from './maintenance-window.js';

export interface MaintenanceFilter {
  /** Only windows on right now (true) or not (false). */
  active?: boolean;
  /** Text in the name, any case. */
  q?: string;
}

/** Maintenance windows as the API and the console read them: oldest first, with whether each is on and when it is next. */
@Injectable()
export class MaintenanceQuery {
  constructor(
    private readonly repository: MaintenanceRepository,
    private readonly maintenance: MaintenanceService,
    private readonly clock: Clock,
  ) {}

  async list(filter: MaintenanceFilter, request: PageRequest): Promise<Page<MaintenanceView>> {
    const now = this.clock.now();
    const text = filter.q?.trim().toLowerCase();
    const views = (await this.repository.list())
      .filter((window) => !text || window.name.toLowerCase().includes(text))
      .map((window) => this.view(window, now))
      .filter((view) => filter.active === undefined || view.active === filter.active);
    return pageOf(views, request);
  }

  /** 404 when there is no window with that id. */
  async get(id: number): Promise<MaintenanceView> {
    const window = await this.repository.find(id);
    if (!window) throw ApiError.notFound(`There is no maintenance window ${id}. GET /api/maintenance lists them.`);
    return this.view(window, this.clock.now());
  }

  view(window: MaintenanceWindow, now = this.clock.now()): MaintenanceView {
    return maintenanceView(window, this.maintenance.isActive(window.id), nextOccurrence(window, now));
  }
}
