import { EXECUTABLE_NAMES, helpText, parseCommandLine, UsageError, type CommandLine, type Role } from '../cli/command-line.js';
import { ConfigError } from '../config/config.loader.js';
import { DatabaseFileError } from '../database/data-source-options.js';
import { PluginLoadError } from '../plugin-host/plugin-loader.js';
import { PluginRegistryError } from '../plugin-host/plugin-registry.js';
import { PULSE_VERSION } from '../runtime/version.js';

/** sysexits.h: EX_USAGE and EX_CONFIG, so systemd and scripts can tell a bad command line or file from a crash. */
const EXIT_USAGE = 64;
const EXIT_CONFIG = 78;

/** An error at start that the user can fix; printed as its message alone (the stack only with --debug). */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * The common shell of all three executables: --help, --version, usage errors, and start-up failures
 * reported as one readable sentence on stderr with a distinct exit code.
 */
export async function runExecutable(role: Role, main: (commandLine: CommandLine) => Promise<void>): Promise<void> {
  const name = EXECUTABLE_NAMES[role];
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(process.argv.slice(2), role);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  if (commandLine.help) {
    process.stdout.write(helpText(role));
    return;
  }
  if (commandLine.version) {
    process.stdout.write(`${name} ${PULSE_VERSION}\n`);
    return;
  }
  try {
    await main(commandLine);
  } catch (error) {
    const known = [ConfigError, DatabaseFileError, PluginRegistryError, PluginLoadError, StartupError].some(
      (kind) => error instanceof kind,
    );
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: cannot start: ${message}\n`);
    if ((!known || commandLine.debug) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(error instanceof ConfigError || error instanceof DatabaseFileError ? EXIT_CONFIG : 1);
  }
}
