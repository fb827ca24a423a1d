import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';

const EXCLUDE_MESSAGE = 'must be a list of mount point globs, e.g. ["/snap/*", "/mnt/backup"]';

/**
 * Options of the disk collector. `disks_exclude` has the name of the agent.conf key it comes from (the agent
 * hands a collector the agent.conf keys its config declares). Decorators run bottom-up: type checks sit last.
 */
export class DiskConfig {
  /** Mount points left out (globs: `*` any characters, "/" included; `?` one character). */
  @MaxLength(1024, { each: true, message: 'must have globs of at most 1024 characters' })
  @IsString({ each: true, message: EXCLUDE_MESSAGE })
  @ArrayMaxSize(100, { message: 'must have at most 100 globs' })
  @IsArray({ message: EXCLUDE_MESSAGE })
  disks_exclude: string[] = [];
}
