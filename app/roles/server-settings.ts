import { alerterDeclarations, readAlertFileConfig, type AlertFileConfig } from '../alerts/alert-file-config.js';
import { readServerConfig, type ConfigInputs, type LoadedConfig } from '../config/config.loader.js';
import type { ServerConfig } from '../config/config.schema.js';
import type { PluginModuleRef } from '../plugin-host/plugin-loader.js';

/** The server's configuration as it runs: Pulse's keys, and what the loaded plugins own of the file. */
export interface ServerSettings extends LoadedConfig<ServerConfig> {
  /** `[alerts.NAME]` channels and the alerters' sections (`[mail]`, `[mailgun]`, `[slack]`). */
  alerting: AlertFileConfig;
}

/**
 * Reads the server's file with the plugins' declarations: Pulse's own keys first, then each plugin
 * claims and checks what is its (an alerter's `[mail]`, its keys in `[alerts.NAME]`). Throws one
 * ConfigError naming every problem, key, value, line and what is allowed; warns about keys, sections and
 * PULSE_* variables nobody claimed.
 */
export function loadServerSettings(inputs: ConfigInputs, plugins: readonly PluginModuleRef[]): ServerSettings {
  const loaded = readServerConfig(inputs);
  const alerting = readAlertFileConfig(loaded.config.alerts, loaded.rest, alerterDeclarations(plugins));
  const warnings = loaded.rest.settle();
  return { ...loaded, warnings: [...loaded.warnings, ...warnings], alerting };
}
