import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, Length, Matches, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../http/paging.js';
import { Optional } from '../http/validation.js';

/** POST /api/poller/register (poller token): what poller.conf says about it. */
export class RegisterPollerDto {
  @Matches(/\S/, { message: 'must not be blank' })
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @IsString({ message: 'must be a string' })
  name!: string;

  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be a string' })
  @Optional()
  location?: string;

  @MaxLength(64, { message: 'must be at most 64 characters' })
  @IsString({ message: 'must be a string' })
  @Optional()
  version?: string;
}

/** PUT /api/poller/<id>/assign (admin): the monitors the poller checks, replacing its assignment. */
export class AssignPollerDto {
  @Min(1, { each: true, message: 'must be a list of monitor ids (positive whole numbers)' })
  @IsInt({ each: true, message: 'must be a list of monitor ids (positive whole numbers)' })
  @ArrayMaxSize(100_000, { message: 'must have at most 100000 monitor ids' })
  @IsArray({ message: 'must be a list of monitor ids, e.g. [1, 2, 3]' })
  monitor_ids!: number[];
}

/** PUT /api/pollers/<id> (admin): fields left out keep their values. */
export class UpdatePollerDto {
  @Matches(/\S/, { message: 'must not be blank' })
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @IsString({ message: 'must be a string' })
  @Optional()
  name?: string;

  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be a string' })
  @Optional()
  location?: string;

  @MaxLength(100, { each: true, message: 'must be a list of alert names (at most 100 characters each)' })
  @IsString({ each: true, message: 'must be a list of alert names' })
  @ArrayMaxSize(50, { message: 'must have at most 50 alerts' })
  @IsArray({ message: 'must be a list of alert names, e.g. ["ops-mail"]; [] for the default channels' })
  @Optional()
  alerts?: string[];
}

/** GET /api/pollers: `?q=&state=&page=&per_page=` (50 a page by default). */
export class ListPollersQuery extends PageQuery {
  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;

  @IsIn(['online', 'offline'], { message: 'must be "online" or "offline"' })
  @Optional()
  state?: 'online' | 'offline';
}
