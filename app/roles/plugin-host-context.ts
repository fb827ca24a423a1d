import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { PluginHostModule, pluginSettingsOf } from '../plugin-host/plugin-host.module.js';
import { loadPluginModules } from '../plugin-host/plugin-loader.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import type { Role } from '../runtime/roles.js';

/**
 * The plugin host of a role on its own (the poller's and the agent's Nest application until their own
 * modules land): built-in and drop-in plugins of the role's kinds loaded, the registry's checks passed —
 * a broken drop-in refuses the start here — and the hosted plugins logged.
 */
export async function startPluginHost(
  role: Role,
  section: { dir: string; nagios_dirs?: readonly string[] },
  logger: PulseLogger,
): Promise<INestApplicationContext> {
  const plugins = await loadPluginModules(role, { dropInDir: section.dir });
  const host = await NestFactory.createApplicationContext(PluginHostModule.forRoot(plugins, pluginSettingsOf(section)), {
    logger,
    abortOnError: false,
  });
  logger.log(`plugins: ${host.get(PluginRegistry).summary()}`, 'Main');
  return host;
}
