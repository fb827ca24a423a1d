import { Injectable } from '@nestjs/common';
import { OnPulseEvent } from '../events/pulse-events.js';
import type { MaintenanceChanged } from '../maintenance/maintenance.events.js';
import { AgentRuntime } from './agent-runtime.service.js';

/** A window that starts or ends changes the state of the agents it covers at once, not at their next report. */
@Injectable()
export class AgentMaintenanceListener {
  constructor(private readonly runtime: AgentRuntime) {}

  @OnPulseEvent('maintenance.started')
  onMaintenanceStarted({ window }: MaintenanceChanged): void {
    this.reevaluate(window.all ? this.runtime.all().map((agent) => agent.id) : window.agentIds);
  }

  @OnPulseEvent('maintenance.ended')
  onMaintenanceEnded({ window }: MaintenanceChanged): void {
    this.reevaluate(window.all ? this.runtime.all().map((agent) => agent.id) : window.agentIds);
  }

  private reevaluate(ids: number[]): void {
    for (const id of ids) this.runtime.reevaluate(id);
  }
}
