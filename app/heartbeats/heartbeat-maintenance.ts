import { Injectable } from '@nestjs/common';
import { MaintenanceService } from '../maintenance/maintenance.service.js';

/**
 * Maintenance windows as the heartbeat engine sees them (SPEC §7): while `covers` is true a service
 * shows `maintenance`, raises no alarm and has no deadline. HeartbeatMaintenanceListener moves services
 * in and out when windows start and end.
 */
@Injectable()
export class HeartbeatMaintenance {
  constructor(private readonly maintenance: MaintenanceService) {}

  /** Resolves once the windows are known (before services are restored). */
  ready(): Promise<void> {
    return this.maintenance.ready();
  }

  covers(serviceName: string, _now: number): boolean {
    return this.maintenance.covers({ service: serviceName });
  }
}
