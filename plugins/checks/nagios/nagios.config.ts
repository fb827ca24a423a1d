import { ArrayMaxSize, IsArray, IsString, Matches, MaxLength } from 'class-validator';

const ARGS_MESSAGE = 'must be a list of arguments, e.g. ["-H", "127.0.0.1", "-p", "22"]';

/** Options of the nagios check. Decorators run bottom-up and stop at the first failure: type checks sit last. */
export class NagiosConfig {
  /**
   * Arguments for the plugin, one list item per argument. No shell is involved: quotes, `$`, `*` and `;`
   * reach the plugin as they are written.
   */
  @Matches(/^[^\0]*$/, { each: true, message: 'must not contain a NUL character' })
  @MaxLength(4096, { each: true, message: 'must have arguments of at most 4096 characters each' })
  @IsString({ each: true, message: ARGS_MESSAGE })
  @ArrayMaxSize(64, { message: 'must have at most 64 arguments' })
  @IsArray({ message: ARGS_MESSAGE })
  args: string[] = [];
}
