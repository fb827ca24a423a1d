import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../runtime/roles.js';

export interface CommandLine {
  configPath?: string;
  debug: boolean;
  syslog: boolean;
  version: boolean;
  help: boolean;
  /** Positional words, e.g. ["admin-token"] for `lillydoo-pulse admin-token --reset`. */
  command: string[];
  reset: boolean;
}

export class UsageError extends Error {}

const COMMON_HELP = `  --config FILE   configuration file
  --debug         log at debug level
  --syslog        send logs to the local syslog instead of stderr
  --version       print the version and exit
  --help          print this help and exit`;

export function helpText(role: Role): string {
  const { executable: name, summary, defaultConfigPath } = ROLES[role];
  if (role === 'server') {
    return `Usage: ${name} [options]
       ${name} admin-token --reset [--config FILE]

LILLYDOO Pulse ${summary}.

Options:
${COMMON_HELP}

Commands:
  admin-token --reset   revoke every admin token and print a new one

Configuration: --config FILE, else ${defaultConfigPath} if it exists,
else built-in defaults. Environment: PULSE_CONFIG, PULSE_PORT, PULSE_DATA_DIR,
PULSE_DATABASE_URL, and PULSE_<SECTION>_<KEY> for any single setting.
`;
  }
  return `Usage: ${name} [options]

LILLYDOO Pulse ${summary}.

Options:
${COMMON_HELP}

Configuration: --config FILE, default ${defaultConfigPath}.
Environment: PULSE_CONFIG, and PULSE_<KEY> or PULSE_<SECTION>_<KEY> for any single setting.
`;
}

/**
 * Lovebeat (a Go program) spells its flags with one dash: `-config FILE`, `-debug`. Its unit files keep
 * working when these are read as their two-dash forms; any other single-dash word is left to parseArgs.
 */
const LOVEBEAT_FLAGS = /^-(config|debug)(=.*)?$/;

function acceptLovebeatFlags(argv: string[]): string[] {
  return argv.map((arg) => (LOVEBEAT_FLAGS.test(arg) ? `-${arg}` : arg));
}

export function parseCommandLine(argv: string[], role: Role): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: acceptLovebeatFlags(argv),
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        debug: { type: 'boolean', default: false },
        syslog: { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        reset: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run ${ROLES[role].executable} --help for the options.`);
  }
  const { values, positionals } = parsed;
  const commandLine: CommandLine = {
    configPath: values.config,
    debug: values.debug ?? false,
    syslog: values.syslog ?? false,
    version: values.version ?? false,
    help: values.help ?? false,
    reset: values.reset ?? false,
    command: positionals,
  };
  if (commandLine.help || commandLine.version) return commandLine;
  validateCommand(commandLine, role);
  return commandLine;
}

function validateCommand(commandLine: CommandLine, role: Role): void {
  const [word, ...rest] = commandLine.command;
  if (word === undefined) {
    if (commandLine.reset) throw new UsageError('--reset belongs to the admin-token command: lillydoo-pulse admin-token --reset');
    return;
  }
  if (role === 'server' && word === 'admin-token' && rest.length === 0) {
    if (!commandLine.reset) throw new UsageError('admin-token needs --reset: lillydoo-pulse admin-token --reset');
    return;
  }
  throw new UsageError(`Unknown command "${commandLine.command.join(' ')}". Run ${ROLES[role].executable} --help for the commands.`);
}
