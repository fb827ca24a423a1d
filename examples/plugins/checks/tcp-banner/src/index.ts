import { PluginModule } from '@lillydoo-pulse/plugin-sdk';
import { TcpBannerCheck } from './tcp-banner.check.js';

/** The entry Pulse loads (package.json "main"): it default-exports the plugin's module. */
@PluginModule({ providers: [TcpBannerCheck] })
export default class TcpBannerCheckModule {}
