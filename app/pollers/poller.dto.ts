import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';

/** POST /api/poller/register (poller token): what poller.conf says about it. */
export class RegisterPollerDto {
  @Matches(/\S/, { message: 'must not be blank' })
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  @IsString({ message: 'must be a string' })
  name!: string;

  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be a string' })
  @IsOptional()
  location?: string;

  @MaxLength(64, { message: 'must be at most 64 characters' })
  @IsString({ message: 'must be a string' })
  @IsOptional()
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
  @IsOptional()
  name?: string;

  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be a string' })
  @IsOptional()
  location?: string;

  @MaxLength(100, { each: true, message: 'must be a list of alert names (at most 100 characters each)' })
  @IsString({ each: true, message: 'must be a list of alert names' })
  @ArrayMaxSize(50, { message: 'must have at most 50 alerts' })
  @IsArray({ message: 'must be a list of alert names, e.g. ["ops-mail"]; [] for the default channels' })
  @IsOptional()
  alerts?: string[];
}

/** GET /api/pollers */
export class ListPollersQuery {
  @MaxLength(200, { message: 'must be at most 200 characters' })
  @IsString({ message: 'must be text to search for' })
  @IsOptional()
  q?: string;

  @IsIn(['online', 'offline'], { message: 'must be "online" or "offline"' })
  @IsOptional()
  state?: 'online' | 'offline';

  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  @Type(() => Number)
  @IsOptional()
  page?: number;

  @Max(500, { message: 'must be at most 500' })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  @Type(() => Number)
  @IsOptional()
  per_page?: number;
}
