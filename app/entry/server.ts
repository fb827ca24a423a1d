import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import type { CommandLine } from '../cli/command-line.js';
import { loadServerConfig, type LoadedConfig } from '../config/config.loader.js';
import { checkSqliteFileAtStart, databaseTarget, describeTarget, sqliteFileError } from '../database/data-source-options.js';
import { createHttpAdapter, httpListenOptions } from '../http/http-server.js';
import { createLogger, type PulseLogger } from '../logging/pulse-logger.js';
import { loadPluginModules } from '../plugin-host/plugin-loader.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { AdminCommandModule, ServerModule } from '../roles/server.module.js';
import { loadServerSettingsAndPlugins } from '../roles/server-settings.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { restoreSnapshotIfMissing } from '../snapshot/snapshot.service.js';
import { adminTokenLines, FirstRunService } from '../tokens/first-run.service.js';
import { TokenService } from '../tokens/token.service.js';
import type { ServerConfig } from '../config/config.schema.js';
import { StartupError } from '../runtime/startup-error.js';
import { runExecutable } from './run-executable.js';

async function main(commandLine: CommandLine): Promise<void> {
  const inputs = { configPath: commandLine.configPath, env: process.env, cwd: process.cwd() };
  if (commandLine.command[0] === 'admin-token') {
    const loaded = loadServerConfig(inputs);
    return resetAdminToken(loaded.config, startLogging(commandLine, loaded));
  }
  // The file is read with the plugins' declarations (they own [mail] and the keys of [alerts.NAME]);
  // the drop-in plugins come from the file's [plugins] dir.
  const settings = await loadServerSettingsAndPlugins(inputs, (config) => loadPluginModules('server', { dropInDir: config.plugins.dir }));
  const { config, alerting, plugins } = settings;
  const logger = startLogging(commandLine, settings);

  await restoreSnapshotIfMissing(config, logger);
  const target = databaseTarget(config);
  if (target.kind === 'sqlite') checkSqliteFileAtStart(target.file);
  const app = await NestFactory.create<NestFastifyApplication>(
    ServerModule.register({ config, logger, plugins, alerting }),
    createHttpAdapter(config),
    {
      logger,
      abortOnError: false,
    },
  );
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const { host, port } = httpListenOptions(config);
  try {
    await app.listen(port, host);
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new StartupError(`HTTP cannot listen on ${config.http.listen} (${code}). Set [http] listen or PULSE_PORT to a free port.`);
    }
    throw error;
  }
  // Only now that Pulse is listening: a start that failed before this point leaves no token behind.
  try {
    await app.get(FirstRunService).announce();
  } catch (error) {
    await app.close();
    throw (
      (target.kind === 'sqlite' ? sqliteFileError(target.file, error) : null) ??
      new StartupError(`could not store the first admin token: ${(error as Error).message}`)
    );
  }
  logger.log(`plugins: ${app.get(PluginRegistry).summary()}`, 'Main');
  const address = app.getHttpServer().address() as AddressInfo;
  logger.log(`HTTP listening on ${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`, 'Main');
}

function startLogging(commandLine: CommandLine, { config, file, warnings }: LoadedConfig<ServerConfig>): PulseLogger {
  const logger = createLogger({
    debug: commandLine.debug,
    syslog: commandLine.syslog,
    tag: 'lillydoo-pulse',
    syslogSocket: config.log.syslog_socket,
  });
  logger.log(
    `LILLYDOO Pulse ${PULSE_VERSION}, config ${file ?? 'built-in defaults'}, database ${describeTarget(databaseTarget(config))}`,
    'Main',
  );
  for (const warning of warnings) logger.warn(warning, 'Config');
  return logger;
}

async function resetAdminToken(config: ServerConfig, logger: PulseLogger): Promise<void> {
  const target = databaseTarget(config);
  if (target.kind === 'sqlite') checkSqliteFileAtStart(target.file);
  const context = await NestFactory.createApplicationContext(AdminCommandModule.register({ config, logger }), {
    logger,
    abortOnError: false,
  });
  try {
    const { secret, revoked } = await context.get(TokenService).resetAdminTokens();
    logger.log(`revoked ${revoked} admin token(s)`, 'Main');
    process.stdout.write(adminTokenLines(secret));
  } finally {
    await context.close();
    await logger.close();
  }
}

// No top-level await: the single-executable bundle is CommonJS.
void runExecutable('server', main);
