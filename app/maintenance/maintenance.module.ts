import { Global, Module } from '@nestjs/common';
import { MaintenanceController } from './maintenance.controller.js';
import { MaintenancePages } from './maintenance.pages.js';
import { MaintenanceRepository } from './maintenance.repository.js';
import { MaintenanceQuery } from './maintenance.query.js';
import { MaintenanceService } from './maintenance.service.js';
import { MaintenanceWindowsService } from './maintenance-windows.service.js';

/** Global: monitors, heartbeats, agents and alerts all ask whether something is under maintenance. */
@Global()
@Module({
  controllers: [MaintenanceController, MaintenancePages],
  providers: [MaintenanceRepository, MaintenanceService, MaintenanceWindowsService, MaintenanceQuery],
  exports: [MaintenanceService, MaintenanceQuery],
})
export class MaintenanceModule {}
