import { PluginModule } from '@lillydoo-pulse/plugin-sdk';
import { ProcessesCollector } from './processes.collector.js';

/** The entry Pulse loads (package.json "main"): it default-exports the plugin's module. */
@PluginModule({ providers: [ProcessesCollector] })
export default class ProcessesCollectorModule {}
