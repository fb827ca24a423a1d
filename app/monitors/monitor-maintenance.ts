import { Injectable } from '@nestjs/common';
import { MaintenanceService } from '../maintenance/maintenance.service.js';

/**
 * Maintenance windows as monitors see them (SPEC §7): inside a window a monitor's state is `maintenance`,
 * no alert goes out and its time is left out of uptime. MonitorMaintenanceListener re-evaluates covered
 * monitors when a window starts or ends.
 */
@Injectable()
export class MonitorMaintenance {
  constructor(private readonly maintenance: MaintenanceService) {}

  isInMaintenance(monitorId: number, _at: number): boolean {
    return this.maintenance.covers({ monitorId });
  }
}
