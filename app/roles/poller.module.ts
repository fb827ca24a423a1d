import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '../config/config.module.js';
import type { PollerConfig } from '../config/remote-config.schema.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { PluginHostModule, pluginSettingsOf } from '../plugin-host/plugin-host.module.js';
import type { PluginModuleRef } from '../plugin-host/plugin-loader.js';
import { PollerRuntime } from './poller-runtime.js';

export interface PollerModuleOptions {
  config: PollerConfig;
  logger: PulseLogger;
  plugins: PluginModuleRef[];
}

/** lillydoo-pulse-poller: the check plugins (and only those), the check runner and the link. No database, no HTTP listener. */
@Module({})
export class PollerModule {
  static register({ config, logger, plugins }: PollerModuleOptions): DynamicModule {
    return {
      module: PollerModule,
      imports: [ConfigModule.forRoot(config, logger), PluginHostModule.forRoot(plugins, pluginSettingsOf(config.plugins))],
      providers: [PollerRuntime],
    };
  }
}
