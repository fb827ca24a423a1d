import { Injectable } from '@nestjs/common';

/**
 * Hook for maintenance windows (SPEC §7, the alerts feature). Until that lands nothing is ever in
 * maintenance; the maintenance feature provides its own implementation under this token
 * (`{ provide: MonitorMaintenance, useExisting: MaintenanceService }`) and calls
 * `MonitorRuntime.reevaluate(id)` when a window starts or ends. Inside a window a monitor's state is
 * `maintenance` and its time is left out of uptime.
 */
@Injectable()
export class MonitorMaintenance {
  isInMaintenance(_monitorId: number, _at: number): boolean {
    return false;
  }
}
