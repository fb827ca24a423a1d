import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { CommandLine } from '../cli/command-line.js';
import { loadPollerConfig } from '../config/config.loader.js';
import { createLogger } from '../logging/pulse-logger.js';
import { loadPluginModules } from '../plugin-host/plugin-loader.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { PollerModule } from '../roles/poller.module.js';
import { PollerRuntime, TokenRefused } from '../roles/poller-runtime.js';
import { ROLES } from '../runtime/roles.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { runExecutable } from './run-executable.js';

/**
 * The network poller (SPEC §4): reads poller.conf, registers with the server, runs the monitors assigned
 * to it with the check plugins and sends the results through the disk outbox. SIGTERM/SIGINT stop it;
 * queued results stay on disk for the next start. Exit 78 when the server refuses the token.
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

  const plugins = await loadPluginModules('poller', { dropInDir: config.plugins.dir });
  const app = await NestFactory.createApplicationContext(PollerModule.register({ config, logger, plugins }), {
    logger,
    abortOnError: false,
  });
  const runtime = app.get(PollerRuntime);
  const stop = (signal: string) => {
    logger.log(`${signal}: stopping; queued results stay in the outbox`, 'Main');
    void runtime.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  logger.log(`plugins: ${app.get(PluginRegistry).summary()}`, 'Main');
  logger.log(`data in ${config.data_dir}`, 'Main');
  try {
    await runtime.run();
  } catch (error) {
    if (!(error instanceof TokenRefused)) throw error;
    logger.error(error.message, 'Main');
    process.exitCode = error.exitCode;
  } finally {
    await app.close();
    await logger.close();
  }
}

void runExecutable('poller', main);
