import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AgentsModule } from '../agents/agents.module.js';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { AlertFileConfig } from '../alerts/alert-file-config.js';
import { AlertsModule } from '../alerts/alerts.module.js';
import { ClusterModule } from '../cluster/cluster.module.js';
import { ConfigModule } from '../config/config.module.js';
import type { ServerConfig } from '../config/config.schema.js';
import { DashboardModule } from '../dashboard/dashboard.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { DownloadsModule } from '../downloads/downloads.module.js';
import { EventsModule } from '../events/events.module.js';
import { HealthModule } from '../health/health.module.js';
import { EventlogModule } from '../eventlog/eventlog.module.js';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { createValidationPipe } from '../http/validation.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { MaintenanceModule } from '../maintenance/maintenance.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { MonitorsModule } from '../monitors/monitors.module.js';
import { PluginHostModule, pluginSettingsOf } from '../plugin-host/plugin-host.module.js';
import { PollersModule } from '../pollers/pollers.module.js';
import type { PluginModuleRef } from '../plugin-host/plugin-loader.js';
import { NotifyModule } from '../notify/notify.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { SnapshotModule } from '../snapshot/snapshot.module.js';
import { StatsdMetricsModule } from '../statsd-metrics/statsd-metrics.module.js';
import { StatsdModule } from '../statsd/statsd.module.js';
import { TokenAdministrationModule, TokensModule } from '../tokens/tokens.module.js';
import { SiteExceptionFilter } from '../web/console-exception.filter.js';
import { WebModule } from '../web/web.module.js';

export interface RoleModuleOptions {
  config: ServerConfig;
  logger: PulseLogger;
  plugins: PluginModuleRef[];
  /** `[alerts.NAME]` and the alerters' sections as read by readServerPluginConfig; none when left out. */
  alerting?: AlertFileConfig;
}

/** lillydoo-pulse: the database, the plugin host, the API and (as they land) every server feature. */
@Module({})
export class ServerModule {
  static register({ config, logger, plugins, alerting = AlertFileConfig.EMPTY }: RoleModuleOptions): DynamicModule {
    return {
      module: ServerModule,
      imports: [
        ConfigModule.forRoot(config, logger, [alerting]),
        DatabaseModule.forRoot(),
        EventsModule,
        MetricsModule,
        HealthModule,
        ClusterModule,
        PluginHostModule.forRoot(plugins, pluginSettingsOf(config.plugins)),
        ScheduleModule.forRoot(),
        TokensModule,
        WebModule,
        MaintenanceModule,
        MonitorsModule,
        PollersModule,
        HeartbeatsModule,
        AlarmsModule,
        StatsdModule,
        EventlogModule,
        StatsdMetricsModule,
        NotifyModule,
        SnapshotModule,
        AlertsModule,
        DownloadsModule,
        AgentsModule,
        SettingsModule,
        DashboardModule,
      ],
      providers: [
        { provide: APP_FILTER, useExisting: SiteExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}

/** `lillydoo-pulse admin-token --reset`: the database and the token service, nothing listening. */
@Module({})
export class AdminCommandModule {
  static register({ config, logger }: Omit<RoleModuleOptions, 'plugins' | 'alerting'>): DynamicModule {
    return {
      module: AdminCommandModule,
      imports: [ConfigModule.forRoot(config, logger), DatabaseModule.forRoot(), TokenAdministrationModule],
    };
  }
}
