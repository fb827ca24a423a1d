import { Injectable } from '@nestjs/common';
import { OnPulseEvent } from '../events/pulse-events.js';
import type { MaintenanceChanged } from '../maintenance/maintenance.events.js';
import { MonitorRuntime } from './monitor-runtime.service.js';

/** A window that starts or ends changes the state of the monitors it covers at once, not at their next check. */
@Injectable()
export class MonitorMaintenanceListener {
  constructor(private readonly runtime: MonitorRuntime) {}

  @OnPulseEvent('maintenance.started')
  onMaintenanceStarted({ window }: MaintenanceChanged): void {
    this.reevaluate(window.all ? this.runtime.monitorIds() : window.monitorIds);
  }

  @OnPulseEvent('maintenance.ended')
  onMaintenanceEnded({ window }: MaintenanceChanged): void {
    this.reevaluate(window.all ? this.runtime.monitorIds() : window.monitorIds);
  }

  private reevaluate(ids: number[]): void {
    for (const id of ids) this.runtime.reevaluate(id);
  }
}
