import { Injectable } from '@nestjs/common';
import { EventBus } from '../events/pulse-events.js';
import { ApiError } from '../http/api-error.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import type { MaintenanceWindowDto } from './maintenance.dto.js';
import { MaintenanceQuery } from './maintenance.query.js';
import './maintenance.events.js';
import { MaintenanceRepository } from './maintenance.repository.js';
import { MaintenanceService } from './maintenance.service.js';
import { scheduleProblem, type MaintenanceWindow } from './maintenance-window.js';

/** The maintenance API's policy: what makes a window valid (answers shown as the MaintenanceQuery shows them). */
@Injectable()
export class MaintenanceWindowsService {
  constructor(
    private readonly repository: MaintenanceRepository,
    private readonly maintenance: MaintenanceService,
    private readonly events: EventBus,
    private readonly query: MaintenanceQuery,
    private readonly clock: Clock,
  ) {}

  async create(dto: MaintenanceWindowDto) {
    const now = this.clock.now();
    const window = await this.repository.insert(this.validated(dto, now), now);
    await this.maintenance.changed();
    this.events.emit('maintenance.edited', { id: window.id, change: 'created' });
    return this.view(window, now);
  }

  async update(id: number, dto: MaintenanceWindowDto) {
    await this.existing(id);
    const now = this.clock.now();
    await this.repository.update(id, this.validated(dto, now));
    await this.maintenance.changed();
    this.events.emit('maintenance.edited', { id, change: 'updated' });
    return this.view((await this.repository.find(id))!, now);
  }

  async remove(id: number) {
    const window = await this.existing(id);
    await this.repository.remove(id);
    await this.maintenance.changed();
    this.events.emit('maintenance.edited', { id, change: 'deleted' });
    return this.view(window, this.clock.now());
  }

  private view(window: MaintenanceWindow, now: number) {
    return this.query.view(window, now);
  }

  private async existing(id: number): Promise<MaintenanceWindow> {
    const window = await this.repository.find(id);
    if (!window) throw ApiError.notFound(`There is no maintenance window ${id}. GET /api/maintenance lists them.`);
    return window;
  }

  private validated(dto: MaintenanceWindowDto, now: number): Omit<MaintenanceWindow, 'id'> {
    const oneOff = dto.starts_at !== undefined || dto.ends_at !== undefined;
    const recurring = dto.cron !== undefined || dto.duration_min !== undefined;
    if (oneOff === recurring) {
      throw ValidationFailure.input(
        'Give either starts_at and ends_at (one window), or cron and duration_min (recurring, with an optional timezone).',
      );
    }
    const scope = {
      all: dto.all ?? false,
      monitorIds: dto.monitor_ids ?? [],
      services: dto.services ?? null,
      agentIds: dto.agent_ids ?? [],
    };
    if (!scope.all && scope.monitorIds.length === 0 && !scope.services && scope.agentIds.length === 0) {
      throw ValidationFailure.input(
        'Say what the window covers: "all": true, "monitor_ids": [..], "services": "glob" or "agent_ids": [..].',
      );
    }
    if (oneOff) {
      if (dto.starts_at === undefined || dto.ends_at === undefined)
        throw ValidationFailure.field(dto.starts_at === undefined ? 'starts_at' : 'ends_at', 'is needed for a one-off window');
      if (dto.timezone !== undefined)
        throw ValidationFailure.field('timezone', 'only applies to recurring windows (starts_at and ends_at carry their own zone)');
      const startsAt = Date.parse(dto.starts_at);
      const endsAt = Date.parse(dto.ends_at);
      if (Number.isNaN(startsAt)) throw ValidationFailure.field('starts_at', 'is not a valid time');
      if (Number.isNaN(endsAt)) throw ValidationFailure.field('ends_at', 'is not a valid time');
      if (endsAt <= startsAt) throw ValidationFailure.field('ends_at', 'must be after starts_at');
      if (endsAt <= now) throw ValidationFailure.field('ends_at', 'is in the past');
      return { name: dto.name, startsAt, endsAt, cron: null, durationMin: null, timezone: 'UTC', ...scope };
    }
    if (dto.cron === undefined) throw ValidationFailure.field('cron', 'is needed for a recurring window, e.g. "0 2 * * 0" (Sundays 02:00)');
    if (dto.duration_min === undefined) throw ValidationFailure.field('duration_min', 'is needed for a recurring window');
    const timezone = dto.timezone ?? 'UTC';
    const problem = scheduleProblem(dto.cron, timezone);
    if (problem) throw new ValidationFailure([problem]);
    return { name: dto.name, startsAt: null, endsAt: null, cron: dto.cron.trim(), durationMin: dto.duration_min, timezone, ...scope };
  }
}
