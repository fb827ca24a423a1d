import { helpText, parseCommandLine, UsageError, type CommandLine } from '../cli/command-line.js';
import { ROLES, type Role } from '../runtime/roles.js';
import { EXIT_USAGE, StartupError } from '../runtime/startup-error.js';
import { PULSE_VERSION } from '../runtime/version.js';

/**
 * The common shell of all three executables: --help, --version, usage errors, and start-up failures
 * reported as one readable sentence on stderr with a distinct exit code.
 */
export async function runExecutable(role: Role, main: (commandLine: CommandLine) => Promise<void>): Promise<void> {
  const name = ROLES[role].executable;
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
    const known = error instanceof StartupError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: cannot start: ${message}\n`);
    if ((!known || commandLine.debug) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(known ? error.exitCode : 1);
  }
}
