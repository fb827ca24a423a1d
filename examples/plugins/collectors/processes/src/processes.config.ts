import { ArrayMaxSize, IsArray, IsString, Matches } from '@lillydoo-pulse/plugin-sdk';

const NAMES = 'must be a list of process names as /proc shows them (at most 15 characters), e.g. ["nginx", "postgres"]';

/**
 * Options of the processes collector. It runs with its defaults when nothing configures it (an agent
 * runs every installed collector), so every option has a useful default. The type check sits last.
 */
export class ProcessesConfig {
  /** Count the processes of these names too (`processes.named`, label `name`); a name that runs nowhere counts 0. */
  @Matches(/^[^/\0]{1,15}$/, { each: true, message: NAMES })
  @IsString({ each: true, message: NAMES })
  @ArrayMaxSize(50, { message: 'must list at most 50 names' })
  @IsArray({ message: NAMES })
  names: string[] = [];
}
