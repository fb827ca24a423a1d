import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';

const EXCLUDE_MESSAGE = 'must be a list of interface name globs, e.g. ["veth*", "docker0"]';

/**
 * Options of the network collector. `net_exclude` has the name of the agent.conf key it comes from.
 * Decorators run bottom-up: type checks sit last.
 */
export class NetworkConfig {
  /** Interfaces left out (globs: `*` any characters, `?` one); the loopback interface is always left out. */
  @MaxLength(64, { each: true, message: 'must have globs of at most 64 characters' })
  @IsString({ each: true, message: EXCLUDE_MESSAGE })
  @ArrayMaxSize(100, { message: 'must have at most 100 globs' })
  @IsArray({ message: EXCLUDE_MESSAGE })
  net_exclude: string[] = [];
}
