import { Module } from '@nestjs/common';
import { MonitorMaintenance } from './monitor-maintenance.js';
import { MonitorMaintenanceListener } from './monitor-maintenance.listener.js';
import { MonitorRepository } from './monitor.repository.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import { MonitorService } from './monitor.service.js';
import { MonitorsController } from './monitors.controller.js';
import { MonitorsQuery } from './monitors.query.js';
import { ResultRepository } from './result.repository.js';
import { ResultsCleanupService } from './results-cleanup.service.js';
import './monitor.events.js';

/** SPEC §3: the monitors API, the public source's checks, results, states, incidents and uptime. */
@Module({
  controllers: [MonitorsController],
  providers: [
    MonitorRepository,
    ResultRepository,
    MonitorRuntime,
    MonitorService,
    MonitorsQuery,
    MonitorMaintenance,
    MonitorMaintenanceListener,
    ResultsCleanupService,
  ],
  exports: [MonitorRuntime, MonitorMaintenance, MonitorsQuery],
})
export class MonitorsModule {}
