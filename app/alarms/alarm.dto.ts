import { ArrayMaxSize, IsArray, IsIn, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../http/paging.js';
import { Optional } from '../http/validation.js';
import type { AlarmState } from './alarm-book.js';

export const ALARM_STATES: readonly AlarmState[] = ['ok', 'error'];

/** POST /api/alarms: the fields of an [[alarms]] section. */
export class CreateAlarmDto {
  @Matches(/^[^\s/?#]+$/, { message: 'must not contain spaces, "/", "?" or "#" (it is used in URLs)' })
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @IsString({ message: 'must be a string' })
  name!: string;

  @MaxLength(1024, { message: 'must be at most 1024 characters' })
  @IsString({ message: 'must be a glob pattern string, e.g. "backup.*"' })
  @Optional()
  pattern?: string;

  @ArrayMaxSize(100, { message: 'must have at most 100 patterns' })
  @IsString({ each: true, message: 'must be a list of glob pattern strings' })
  @IsArray({ message: 'must be a list of glob pattern strings' })
  @Optional()
  includes?: string[];

  @ArrayMaxSize(100, { message: 'must have at most 100 patterns' })
  @IsString({ each: true, message: 'must be a list of glob pattern strings' })
  @IsArray({ message: 'must be a list of glob pattern strings' })
  @Optional()
  excludes?: string[];

  @ArrayMaxSize(100, { message: 'must have at most 100 alert names' })
  @IsString({ each: true, message: 'must be a list of alert names' })
  @IsArray({ message: 'must be a list of alert names' })
  @Optional()
  alerts?: string[];
}

/** GET /api/alarms: every alarm by name unless paged or filtered. */
export class ListAlarmsQuery extends PageQuery {
  @IsIn(ALARM_STATES, { message: `must be one of ${ALARM_STATES.join(', ')}` })
  @Optional()
  state?: AlarmState;

  @MaxLength(255, { message: 'must be at most 255 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;
}
