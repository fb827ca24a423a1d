import { Module, type DynamicModule } from '@nestjs/common';
import { AGENT_FATAL, AgentReporter, COLLECTOR_SECTIONS, type AgentFatal } from '../agent/agent-reporter.service.js';
import type { CollectorSections } from '../agent/collector-options.js';
import { ConfigModule } from '../config/config.module.js';
import type { AgentConfig } from '../config/remote-config.schema.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { PluginHostModule, pluginSettingsOf } from '../plugin-host/plugin-host.module.js';
import type { PluginModuleRef } from '../plugin-host/plugin-loader.js';

export interface AgentModuleOptions {
  config: AgentConfig;
  logger: PulseLogger;
  plugins: PluginModuleRef[];
  /** The collectors' own tables of agent.conf (`[processes]`). */
  sections?: CollectorSections;
  /** The server refused the token: the entry stops the process. */
  onFatal: AgentFatal;
}

/** lillydoo-pulse-agent: the collector plugins, the scheduler and the link. No database, no HTTP listener. */
@Module({})
export class AgentModule {
  static register({ config, logger, plugins, sections = {}, onFatal }: AgentModuleOptions): DynamicModule {
    return {
      module: AgentModule,
      imports: [ConfigModule.forRoot(config, logger), PluginHostModule.forRoot(plugins, pluginSettingsOf(config.plugins))],
      providers: [AgentReporter, { provide: AGENT_FATAL, useValue: onFatal }, { provide: COLLECTOR_SECTIONS, useValue: sections }],
    };
  }
}
