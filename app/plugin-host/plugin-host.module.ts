import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { PluginModuleRef } from './plugin-loader.js';
import { PLUGIN_MODULES, PluginRegistry } from './plugin-registry.js';

/** Hosts the plugin modules the loader found for this role and exposes them through PluginRegistry. */
@Module({})
export class PluginHostModule {
  static forRoot(plugins: PluginModuleRef[]): DynamicModule {
    return {
      module: PluginHostModule,
      global: true,
      imports: [DiscoveryModule, ...plugins.map((ref) => ref.module)],
      providers: [{ provide: PLUGIN_MODULES, useValue: plugins }, PluginRegistry],
      exports: [PluginRegistry],
    };
  }
}
