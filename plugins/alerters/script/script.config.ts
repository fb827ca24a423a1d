import { IsString, Matches } from 'class-validator';

export class ScriptConfig {
  /** Absolute path of an executable (Lovebeat's `script = "/path/to/script.sh"`); run with no arguments. */
  @Matches(/^\/[^\0]*$/, { message: 'must be the absolute path of an executable file' })
  @IsString({ message: 'must be a string' })
  path = '';
}
