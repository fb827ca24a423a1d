import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../http/paging.js';
import { Optional } from '../http/validation.js';
import type { MaintenanceWindow, Occurrence } from './maintenance-window.js';

const ISO_WITH_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/;
const ISO_MESSAGE = 'must be an ISO 8601 time with a zone, e.g. "2026-11-25T22:00:00Z" or "2026-11-25T23:00:00+01:00"';

/** POST/PUT /api/maintenance: one-off (starts_at, ends_at) or recurring (cron, duration_min, timezone), plus a scope. */
/** GET /api/maintenance: every window unless paged or filtered. */
export class ListMaintenanceQuery extends PageQuery {
  /** Only windows on now ("true") or not ("false"). */
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  @Optional()
  active?: 'true' | 'false';

  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;
}

export class MaintenanceWindowDto {
  @Length(1, 200, { message: 'must be 1 to 200 characters' }) @IsString({ message: 'must be a string' }) name!: string;

  @Optional() @Matches(ISO_WITH_ZONE, { message: ISO_MESSAGE }) @IsString({ message: ISO_MESSAGE }) starts_at?: string;
  @Optional() @Matches(ISO_WITH_ZONE, { message: ISO_MESSAGE }) @IsString({ message: ISO_MESSAGE }) ends_at?: string;

  @Optional()
  @Length(9, 200, { message: 'must be a cron expression like "0 2 * * 0"' })
  @IsString({ message: 'must be a string' })
  cron?: string;
  @Optional()
  @Max(10_080, { message: 'must be at most 10080 (a week)' })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number of minutes' })
  duration_min?: number;
  @Optional() @Length(1, 64, { message: 'must be a time zone name' }) @IsString({ message: 'must be a string' }) timezone?: string;

  @Optional() @IsBoolean({ message: 'must be true or false' }) all?: boolean;
  @Optional()
  @Min(1, { each: true, message: 'must be monitor ids' })
  @IsInt({ each: true, message: 'must be monitor ids' })
  @ArrayMaxSize(10_000, { message: 'may list at most 10000 monitors' })
  @IsArray({ message: 'must be a list of monitor ids' })
  monitor_ids?: number[];
  @Optional()
  @Length(1, 255, { message: 'must be a glob of 1 to 255 characters, e.g. "backup.*"' })
  @IsString({ message: 'must be a glob like "backup.*"' })
  services?: string;
  @Optional()
  @Min(1, { each: true, message: 'must be agent ids' })
  @IsInt({ each: true, message: 'must be agent ids' })
  @ArrayMaxSize(10_000, { message: 'may list at most 10000 agents' })
  @IsArray({ message: 'must be a list of agent ids' })
  agent_ids?: number[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const span = (occurrence: Occurrence | null) => (occurrence ? { starts_at: iso(occurrence.start), ends_at: iso(occurrence.end) } : null);

/** A window as the API and the console show it. */
export type MaintenanceView = ReturnType<typeof maintenanceView>;

export function maintenanceView(window: MaintenanceWindow, current: Occurrence | null, next: Occurrence | null) {
  return {
    id: window.id,
    name: window.name,
    starts_at: iso(window.startsAt),
    ends_at: iso(window.endsAt),
    cron: window.cron,
    duration_min: window.durationMin,
    timezone: window.timezone,
    all: window.all,
    monitor_ids: window.monitorIds,
    services: window.services,
    agent_ids: window.agentIds,
    active: current !== null,
    current: span(current),
    next: span(next),
  };
}
