import 'reflect-metadata';
import type { CommandLine } from '../cli/command-line.js';
import { loadPollerConfig } from '../config/config.loader.js';
import { createLogger } from '../logging/pulse-logger.js';
import { startPluginHost } from '../roles/plugin-host-context.js';
import { ROLES } from '../runtime/roles.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { runExecutable } from './run-executable.js';

/**
 * The network poller: flags, version and its configuration (loaded and validated at start, a bad file
 * refused naming the key) work now; running assigned checks arrives with its issue.
 */
async function main(commandLine: CommandLine): Promise<void> {
  const { config, file, warnings } = loadPollerConfig({ configPath: commandLine.configPath, env: process.env, cwd: process.cwd() });
  const logger = createLogger({
    debug: commandLine.debug,
    syslog: commandLine.syslog,
    tag: ROLES.poller.executable,
    syslogSocket: config.log.syslog_socket,
  });
  logger.log(
    `LILLYDOO Pulse poller ${PULSE_VERSION}, config ${file ?? 'from the environment'}, server ${new URL(config.server).origin}, name "${config.name}"`,
    'Main',
  );
  for (const warning of warnings) logger.warn(warning, 'Config');
  const plugins = await startPluginHost('poller', config.plugins, logger);
  await plugins.close();
  process.stdout.write(`${ROLES.poller.executable} ${PULSE_VERSION}: running checks is not part of this build yet\n`);
  await logger.close();
}

void runExecutable('poller', main);
