import { PluginModule } from '@lillydoo-pulse/plugin-sdk';
import { NtfyAlerter } from './ntfy.alerter.js';

/** The entry Pulse loads (package.json "main"): it default-exports the plugin's module. */
@PluginModule({ providers: [NtfyAlerter] })
export default class NtfyAlerterModule {}
