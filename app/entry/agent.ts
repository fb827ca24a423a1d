import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CommandLine } from '../cli/command-line.js';
import { claimCollectorSections } from '../agent/collector-options.js';
import { readAgentConfig } from '../config/config.loader.js';
import { createLogger } from '../logging/pulse-logger.js';
import { loadPluginModules } from '../plugin-host/plugin-loader.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { AgentModule } from '../roles/agent.module.js';
import { ROLES } from '../runtime/roles.js';
import { EXIT_CONFIG } from '../runtime/startup-error.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { runExecutable } from './run-executable.js';

/**
 * The host agent: reads agent.conf (a bad file is refused naming the key), runs the collector plugins
 * every `interval` seconds and sends the reports through the link, which keeps them on disk while the
 * server is away. Stops cleanly on SIGTERM/SIGINT (the outbox stays for the next start).
 */
async function main(commandLine: CommandLine): Promise<void> {
  const { config, file, warnings, rest } = readAgentConfig({ configPath: commandLine.configPath, env: process.env, cwd: process.cwd() });
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

  const plugins = await loadPluginModules('agent', { dropInDir: config.plugins.dir });
  // The collectors' own tables ([processes]) are read once the collectors are known; what none claims is warned about.
  const sections = claimCollectorSections(rest, plugins);
  for (const warning of rest.settle()) logger.warn(warning, 'Config');

  let app: INestApplicationContext | null = null;
  let fatal: string | null = null;
  const stop = async (message: string) => {
    logger.error(`${message}; stopping (give the agent a valid agent token of its own)`, 'Main');
    await app?.close();
    await logger.close();
    process.exit(EXIT_CONFIG);
  };
  app = await NestFactory.createApplicationContext(
    AgentModule.register({
      config,
      logger,
      plugins,
      sections,
      onFatal: (message) => {
        if (fatal !== null) return;
        fatal = message;
        if (app) void stop(message);
      },
    }),
    { logger, abortOnError: false },
  );
  if (fatal !== null) return stop(fatal);
  logger.log(`plugins: ${app.get(PluginRegistry).summary()}`, 'Main');
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // The scheduler's and the link's timers do not hold the process open; this does, until a signal stops it.
  setInterval(() => undefined, 3_600_000);
}

void runExecutable('agent', main);
