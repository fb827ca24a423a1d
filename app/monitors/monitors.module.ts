import { Module } from '@nestjs/common';
import { MonitorChoices } from '../maintenance/scope-choices.js';
import { MonitorChoicesProvider } from './monitor-choices.provider.js';
import { MonitorCluster } from './monitor-cluster.js';
import { MonitorFormPages } from './monitor-form.pages.js';
import { MonitorHistoryRepository } from './monitor-history.repository.js';
import { MonitorMaintenance } from './monitor-maintenance.js';
import { MonitorOverview } from './monitor-overview.query.js';
import { MonitorMaintenanceListener } from './monitor-maintenance.listener.js';
import { MonitorRepository } from './monitor.repository.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import { MonitorService } from './monitor.service.js';
import { MonitorsController } from './monitors.controller.js';
import { MonitorsPages } from './monitors.pages.js';
import { MonitorsQuery } from './monitors.query.js';
import { ResultRepository } from './result.repository.js';
import { ResultsCleanupService } from './results-cleanup.service.js';
import { SourceDirectory } from './source-directory.js';
import './monitor.events.js';

/** SPEC §3: the monitors API and console pages, the public source's checks, results, states, incidents and uptime. */
@Module({
  // MonitorFormPages first: its fixed paths (monitors/new) are registered before MonitorsPages' monitors/:id.
  controllers: [MonitorsController, MonitorFormPages, MonitorsPages],
  providers: [
    MonitorRepository,
    ResultRepository,
    MonitorRuntime,
    MonitorCluster,
    MonitorService,
    MonitorsQuery,
    MonitorMaintenance,
    MonitorMaintenanceListener,
    ResultsCleanupService,
    // The maintenance form's monitors multi-select (maintenance defines the port, monitors provide it).
    { provide: MonitorChoices, useClass: MonitorChoicesProvider },
    SourceDirectory,
    MonitorHistoryRepository,
    MonitorOverview,
  ],
  exports: [MonitorRuntime, MonitorMaintenance, MonitorService, MonitorsQuery, SourceDirectory, MonitorOverview],
})
export class MonitorsModule {}
