import { alerterDeclarations, readAlertFileConfig, type AlertFileConfig } from '../alerts/alert-file-config.js';
import { readServerConfig, type ConfigInputs, type LoadedConfig } from '../config/config.loader.js';
import type { ServerConfig } from '../config/config.schema.js';
import type { PluginModuleRef } from '../plugin-host/plugin-module-ref.js';

/** The server's configuration as it runs: Pulse's keys, and what the loaded plugins own of the file. */
export interface ServerSettings extends LoadedConfig<ServerConfig> {
  /** `[alerts.NAME]` channels and the alerters' sections (`[mail]`, `[mailgun]`, `[slack]`). */
  alerting: AlertFileConfig;
  /** The plugin modules the file was read with (built-in and drop-in). */
  plugins: PluginModuleRef[];
}

/**
 * Reads the server's file with the plugins' declarations: Pulse's own keys first, then each plugin
 * claims and checks what is its (an alerter's `[mail]`, its keys in `[alerts.NAME]`). Throws one
 * ConfigError naming every problem, key, value, line and what is allowed; warns about keys, sections and
 * PULSE_* variables nobody claimed.
 */
export function loadServerSettings(inputs: ConfigInputs, plugins: PluginModuleRef[]): ServerSettings {
  return withPlugins(readServerConfig(inputs), plugins);
}

/**
 * The same for a starting server, whose drop-in plugins live where the file says (`[plugins] dir`):
 * Pulse's own keys must be valid before any plugin is loaded (their problems are refused first), then
 * the plugins are loaded and read the rest.
 */
export async function loadServerSettingsAndPlugins(
  inputs: ConfigInputs,
  loadPlugins: (config: ServerConfig) => Promise<PluginModuleRef[]>,
): Promise<ServerSettings> {
  const loaded = readServerConfig(inputs);
  loaded.rest.throwIfInvalid();
  return withPlugins(loaded, await loadPlugins(loaded.config));
}

function withPlugins(loaded: LoadedConfig<ServerConfig>, plugins: PluginModuleRef[]): ServerSettings {
  const alerting = readAlertFileConfig(loaded.config.alerts, loaded.rest, alerterDeclarations(plugins));
  const warnings = loaded.rest.settle();
  return { ...loaded, warnings: [...loaded.warnings, ...warnings], alerting, plugins };
}
