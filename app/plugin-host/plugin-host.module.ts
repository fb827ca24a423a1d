import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PLUGIN_SETTINGS, type PluginSettings } from './contracts.js';
import type { PluginModuleRef } from './plugin-loader.js';
import { PLUGIN_MODULES, PluginRegistry } from './plugin-registry.js';

/** What plugins get when the host says nothing: the defaults of `[plugins]`. */
const DEFAULT_SETTINGS = { dir: '/etc/lillydoo-pulse/plugins', nagios_dirs: ['/usr/lib/nagios/plugins'] };

/** A role's `[plugins]` section as the read-only PluginSettings plugins inject (the agent's has no nagios_dirs). */
export function pluginSettingsOf(section: { dir: string; nagios_dirs?: readonly string[] }): PluginSettings {
  return Object.freeze({ dir: section.dir, nagios_dirs: Object.freeze([...(section.nagios_dirs ?? [])]) });
}

/**
 * Hosts the plugin modules the loader found for this role and exposes them through PluginRegistry, and
 * the role's `[plugins]` settings to every plugin under PLUGIN_SETTINGS.
 */
@Module({})
export class PluginHostModule {
  static forRoot(plugins: PluginModuleRef[], settings: PluginSettings = pluginSettingsOf(DEFAULT_SETTINGS)): DynamicModule {
    return {
      module: PluginHostModule,
      global: true,
      imports: [DiscoveryModule, ...plugins.map((ref) => ref.module)],
      providers: [{ provide: PLUGIN_MODULES, useValue: plugins }, { provide: PLUGIN_SETTINGS, useValue: settings }, PluginRegistry],
      exports: [PluginRegistry, PLUGIN_SETTINGS],
    };
  }
}
