import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Optional } from '../http/validation.js';
import { IsTimeParam, parseTimeParam } from '../http/time-param.js';
import { MONITOR_STATES, type MonitorState } from './monitor.entity.js';

/**
 * POST /api/monitors and PUT /api/monitors/<id> (the same body: PUT replaces every setting, omitted
 * optional fields take their defaults). Type, target and options are checked against the type's plugin
 * in the service. Decorators run bottom-up and stop at the first failure: type checks sit last.
 */
export class MonitorBodyDto {
  @Matches(/\S/, { message: 'must not be blank' })
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @IsString({ message: 'must be a string' })
  name!: string;

  @IsString({ message: 'must be a string naming a check type, e.g. "http"' })
  type!: string;

  @Length(1, 2048, { message: 'must be 1 to 2048 characters' })
  @IsString({ message: 'must be a string' })
  target!: string;

  @Max(86400, { message: 'must be at most 86400 (seconds, one day)' })
  @Min(5, { message: 'must be at least 5 (seconds)' })
  @IsInt({ message: 'must be a whole number of seconds' })
  @Optional()
  interval?: number;

  @Max(86399, { message: 'must be less than interval' })
  @Min(1, { message: 'must be at least 1 (second)' })
  @IsInt({ message: 'must be a whole number of seconds' })
  @Optional()
  timeout?: number;

  @Max(10, { message: 'must be at most 10' })
  @Min(0, { message: 'must be at least 0' })
  @IsInt({ message: 'must be a whole number' })
  @Optional()
  retries?: number;

  @Max(1000, { message: 'must be at most 1000' })
  @Min(1, { message: 'must be at least 1 (sources down before the monitor is down)' })
  @IsInt({ message: 'must be a whole number, or null for no quorum' })
  @IsOptional() // null: no quorum
  quorum?: number | null;

  @Min(1, { each: true, message: 'must be a list of poller ids (positive whole numbers)' })
  @IsInt({ each: true, message: 'must be a list of poller ids (positive whole numbers)' })
  @ArrayMaxSize(100, { message: 'must have at most 100 pollers' })
  @IsArray({ message: 'must be a list of poller ids, e.g. [1, 2]' })
  @Optional()
  pollers?: number[];

  @MaxLength(100, { each: true, message: 'must be a list of alert names (at most 100 characters each)' })
  @IsString({ each: true, message: 'must be a list of alert names' })
  @ArrayMaxSize(50, { message: 'must have at most 50 alerts' })
  @IsArray({ message: 'must be a list of alert names, e.g. ["ops-mail"]' })
  @Optional()
  alerts?: string[];

  @IsObject({ message: "must be a JSON object of the check type's options" })
  @Optional()
  options?: Record<string, unknown>;
}

/** GET /api/monitors: filters and pagination, from the query string. */
export class ListMonitorsQuery {
  @IsIn(MONITOR_STATES, { message: `must be one of ${MONITOR_STATES.join(', ')}` })
  @Optional()
  status?: MonitorState;

  @MaxLength(32, { message: 'must be at most 32 characters' })
  @IsString({ message: 'must be a check type' })
  @Optional()
  type?: string;

  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;

  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  @Type(() => Number)
  @Optional()
  page?: number;

  @Max(500, { message: 'must be at most 500' })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  @Type(() => Number)
  @Optional()
  per_page?: number;
}

/** GET /api/monitors/<id>/results */
export class ResultsQuery {
  @Matches(/^(public|poller:\d+)$/, { message: 'must be "public" or "poller:<id>"' })
  @Optional()
  source?: string;

  @IsTimeParam()
  @Optional()
  since?: string;

  @IsTimeParam()
  @Optional()
  until?: string;

  @Max(1000, { message: 'must be at most 1000' })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  @Type(() => Number)
  @Optional()
  limit?: number;
}

/** GET /api/monitors/<id>/history */
export class HistoryQuery {
  @IsIn(['minute', 'hour'], { message: 'must be "minute" or "hour"' })
  @Optional()
  period?: 'minute' | 'hour';

  @IsTimeParam()
  @Optional()
  since?: string;

  @IsTimeParam()
  @Optional()
  until?: string;
}

/** "2026-11-22T12:00:00Z" or "1763812800000" → epoch ms (already validated by @IsTimeParam); undefined when absent. */
export function parseTime(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseTimeParam(text)!;
}
