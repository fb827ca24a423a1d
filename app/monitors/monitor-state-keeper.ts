import type { LoggerService } from '@nestjs/common';
import type { EventBus } from '../events/pulse-events.js';
import type { LiveMonitor } from './live-monitor.js';
import type { MonitorMaintenance } from './monitor-maintenance.js';
import { nextState } from './monitor-state.js';
import type { MonitorWrites } from './monitor-writes.js';
import type { MonitorState } from './monitor.entity.js';
import type { RuntimeCluster } from './runtime-cluster.js';

export interface MonitorStateKeeperOptions {
  events: EventBus;
  maintenance: MonitorMaintenance;
  writes: MonitorWrites;
  logger: LoggerService;
  /** The cluster the runtime takes part in now: only the server that decides a monitor judges it. */
  cluster: () => RuntimeCluster;
}

/** A live monitor's state machine: judges its state and makes each change known (in memory, to the writer, as an event). */
export class MonitorStateKeeper {
  constructor(private readonly options: MonitorStateKeeperOptions) {}

  /** Judges the monitor's state at `at` from its sources' latest results (where this server decides it). */
  evaluate(live: LiveMonitor, at: number): void {
    if (!this.options.cluster().decides(live.monitor.id)) return;
    const { status, message } = live.aggregate(at);
    const to: MonitorState = this.options.maintenance.isInMaintenance(live.monitor.id, at) ? 'maintenance' : status;
    live.held = to;
    // Before the change: flap detection must have seen this result when the change is judged.
    this.options.events.emit('monitor.evaluated', { monitorId: live.monitor.id, state: to, at });
    this.change(live, to, message, at);
  }

  /** Moves the monitor to `to` when the state machine says it changes; `admin`: a user's pause or resume. */
  change(live: LiveMonitor, to: MonitorState, message: string, at: number, admin = false): void {
    const change = nextState(live.state, to, at, message);
    if (!change) return;
    live.state = change.next;
    live.monitor.status = to;
    // Readers see the state and its message together, before the state writer stores them.
    live.monitor.statusMessage = message;
    live.monitor.lastChangeAt = at;
    const monitorId = live.monitor.id;
    const note = `monitor ${monitorId} "${live.monitor.name}": ${change.from} → ${to}${message ? ` (${message})` : ''}`;
    if (!this.options.writes.pushChange({ monitorId, change, admin, note }))
      this.options.logger.error(`state change not recorded (the database has been failing and the write queue is full): ${note}`);
    this.options.events.emit('monitor.state-changed', {
      monitorId,
      name: live.monitor.name,
      type: live.monitor.type,
      target: live.monitor.target,
      from: change.from,
      to,
      incidentNumber: change.next.incidentNumber,
      message,
      at,
      since: change.since,
      sources: live.sourceStatuses(at),
      alerts: live.monitor.alerts,
    });
  }
}
