import 'reflect-metadata';
import type { CommandLine } from '../cli/command-line.js';
import { loadAgentConfig } from '../config/config.loader.js';
import { createLogger } from '../logging/pulse-logger.js';
import { startPluginHost } from '../roles/plugin-host-context.js';
import { ROLES } from '../runtime/roles.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { runExecutable } from './run-executable.js';

/**
 * The host agent: flags, version and its configuration (loaded and validated at start, a bad file refused
 * naming the key) work now; collecting and reporting metrics arrives with its issue.
 */
async function main(commandLine: CommandLine): Promise<void> {
  const { config, file, warnings } = loadAgentConfig({ configPath: commandLine.configPath, env: process.env, cwd: process.cwd() });
  const logger = createLogger({
    debug: commandLine.debug,
    syslog: commandLine.syslog,
    tag: ROLES.agent.executable,
    syslogSocket: config.log.syslog_socket,
  });
  logger.log(
    `LILLYDOO Pulse agent ${PULSE_VERSION}, config ${file ?? 'from the environment'}, server ${new URL(config.server).origin}, every ${config.interval} s`,
    'Main',
  );
  for (const warning of warnings) logger.warn(warning, 'Config');
  const plugins = await startPluginHost('agent', config.plugins, logger);
  await plugins.close();
  process.stdout.write(`${ROLES.agent.executable} ${PULSE_VERSION}: metric collection is not part of this build yet\n`);
  await logger.close();
}

void runExecutable('agent', main);
