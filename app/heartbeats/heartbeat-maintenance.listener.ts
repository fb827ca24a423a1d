import { Injectable } from '@nestjs/common';
import { OnPulseEvent } from '../events/pulse-events.js';
import type { MaintenanceChanged } from '../maintenance/maintenance.events.js';
import { WindowScope } from '../maintenance/maintenance-window.js';
import { HeartbeatEngine } from './heartbeat-engine.js';

/**
 * When a window starts, the services it covers go to `maintenance`; when it ends, their deadlines count
 * from the window's end, so a job that could not beat during the window is not declared dead at once.
 */
@Injectable()
export class HeartbeatMaintenanceListener {
  constructor(private readonly engine: HeartbeatEngine) {}

  @OnPulseEvent('maintenance.started')
  onMaintenanceStarted({ window }: MaintenanceChanged): void {
    const scope = new WindowScope(window);
    this.engine.enterMaintenance(this.engine.serviceNames((name) => scope.covers({ service: name })));
  }

  @OnPulseEvent('maintenance.ended')
  onMaintenanceEnded({ window, at }: MaintenanceChanged): void {
    const scope = new WindowScope(window);
    this.engine.restartDeadlines(
      this.engine.serviceNames((name) => scope.covers({ service: name })),
      at,
    );
  }
}
