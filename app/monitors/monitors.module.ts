import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { MonitorMaintenance } from './monitor-maintenance.js';
import { MonitorMaintenanceListener } from './monitor-maintenance.listener.js';
import { MonitorRepository } from './monitor.repository.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import { MonitorService } from './monitor.service.js';
import { MonitorsController } from './monitors.controller.js';
import { ResultRepository } from './result.repository.js';
import { ResultsCleanupService } from './results-cleanup.service.js';
import { SourceDirectory } from './source-directory.js';
import './monitor.events.js';

/** SPEC §3: the monitors API, the public source's checks, results, states, incidents and uptime. */
@Module({
  imports: [AlertsModule],
  controllers: [MonitorsController],
  providers: [
    MonitorRepository,
    ResultRepository,
    MonitorRuntime,
    MonitorService,
    MonitorMaintenance,
    MonitorMaintenanceListener,
    ResultsCleanupService,
    SourceDirectory,
  ],
  exports: [MonitorRuntime, MonitorMaintenance, MonitorService, SourceDirectory],
})
export class MonitorsModule {}
