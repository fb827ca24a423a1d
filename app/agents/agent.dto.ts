import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../http/paging.js';
import { IsTimeParam } from '../http/time-param.js';
import { Optional } from '../http/validation.js';
import { HISTORY_METRICS } from './agent-history.js';
import { AGENT_STATES, type AgentState } from './agent.entity.js';

/*
 * The admin API's bodies and queries (SPEC §5). Decorators run bottom-up and stop at the first failure:
 * type checks sit last.
 */

const PERCENT_MESSAGE = 'must be a percent, 1 to 100';

/** Per-agent threshold overrides: each key left out takes the default. */
export class ThresholdsDto {
  @Optional()
  @Max(100, { message: PERCENT_MESSAGE })
  @Min(1, { message: PERCENT_MESSAGE })
  @IsNumber({}, { message: PERCENT_MESSAGE })
  cpu_percent?: number;
  @Optional()
  @Max(1440, { message: 'must be at most 1440 (minutes)' })
  @Min(0, { message: 'must be at least 0 (minutes; 0 = at once)' })
  @IsInt({ message: 'must be a whole number of minutes' })
  cpu_minutes?: number;
  @Optional()
  @Max(100, { message: PERCENT_MESSAGE })
  @Min(1, { message: PERCENT_MESSAGE })
  @IsNumber({}, { message: PERCENT_MESSAGE })
  memory_percent?: number;
  @Optional()
  @Max(100, { message: PERCENT_MESSAGE })
  @Min(1, { message: PERCENT_MESSAGE })
  @IsNumber({}, { message: PERCENT_MESSAGE })
  disk_percent?: number;
  @Optional()
  @Max(100, { message: 'must be at most 100' })
  @Min(2, { message: 'must be at least 2 (intervals without a report)' })
  @IsInt({ message: 'must be a whole number of intervals' })
  down_after_intervals?: number;
}

/** PUT /api/agents/<id>: replaces the settings; what is left out takes its default (name: the host name). */
export class AgentBodyDto {
  @Optional()
  @Matches(/\S/, { message: 'must not be blank' })
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @IsString({ message: 'must be a string' })
  name?: string;

  /** The host name its reports must carry (after the host was renamed). */
  @Optional()
  @Matches(/^\S+$/, { message: 'must be a host name without spaces' })
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @IsString({ message: 'must be a string' })
  hostname?: string;

  @Optional()
  @ValidateNested()
  @Type(() => ThresholdsDto)
  @IsObject({ message: 'must be an object like {"disk_percent": 95}' })
  thresholds?: ThresholdsDto;

  @MaxLength(100, { each: true, message: 'must be a list of alert names (at most 100 characters each)' })
  @IsString({ each: true, message: 'must be a list of alert names' })
  @ArrayMaxSize(50, { message: 'must have at most 50 alerts' })
  @IsArray({ message: 'must be a list of alert names, e.g. ["ops-mail"]' })
  @Optional()
  alerts?: string[];
}

export const AGENT_SORTS = ['name', 'hostname', 'status', 'last_seen', 'cpu', 'memory', 'disk', 'id'] as const;
export type AgentSort = (typeof AGENT_SORTS)[number];

/** GET /api/agents (`page`, `per_page` as every list). */
export class ListAgentsQuery extends PageQuery {
  @IsIn(AGENT_STATES, { message: `must be one of ${AGENT_STATES.join(', ')}` })
  @Optional()
  status?: AgentState;

  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;

  @IsIn(AGENT_SORTS, { message: `must be one of ${AGENT_SORTS.join(', ')}` }) @Optional() sort?: AgentSort;

  @IsIn(['asc', 'desc'], { message: 'must be "asc" or "desc"' }) @Optional() order?: 'asc' | 'desc';
}

const METRICS_MESSAGE = `must be metric names separated by commas: ${HISTORY_METRICS.join(', ')}, or the name of an extra figure`;
const METRIC_NAME = '[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*';

/** GET /api/agents/<id>/metrics */
export class AgentMetricsQuery {
  @IsIn(['minute', 'hour'], { message: 'must be "minute" or "hour"' }) @Optional() period?: 'minute' | 'hour';
  @IsTimeParam() @Optional() since?: string;
  @IsTimeParam() @Optional() until?: string;
  @Matches(new RegExp(`^${METRIC_NAME}(,${METRIC_NAME})*$`), { message: METRICS_MESSAGE })
  @MaxLength(1000, { message: 'must be at most 1000 characters' })
  @IsString({ message: METRICS_MESSAGE })
  @Optional()
  metric?: string;
}
