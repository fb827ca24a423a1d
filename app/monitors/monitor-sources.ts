import type { Clock } from '../runtime/clock.js';
import type { CheckTask } from '../scheduler/check-task.js';
import { DueTimer } from '../scheduler/due-timer.js';
import { timersWithClock } from '../scheduler/timers.js';
import { staleAfterMs } from './aggregate-status.js';
import type { LatestResult, LiveMonitor } from './live-monitor.js';
import type { MonitorSource } from './monitor-source.entity.js';
import { checkTaskOf } from './monitor-task.js';

/** The live monitors' sources: which pollers check which monitor, each source's latest result, and when that goes stale. */
export class MonitorSources {
  /** When each source's latest result goes stale, keyed `<monitor id>|<source>`. */
  private readonly staleness: DueTimer<string>;

  constructor(
    /** The runtime's live monitors, by id (read here, changed only by the runtime). */
    private readonly live: ReadonlyMap<number, LiveMonitor>,
    clock: Clock,
    onStale: (monitorId: number) => void,
  ) {
    this.staleness = new DueTimer<string>(
      (now) => {
        for (const { key } of this.staleness.takeDue(now)) onStale(Number(key.split('|')[0]));
      },
      timersWithClock(() => clock.now()),
    );
  }

  stop(): void {
    this.staleness.stop();
  }

  // ---- which pollers check which monitor ------------------------------------------------------------------

  /** The check tasks of the monitors a poller checks (not paused), by id: what GET /api/poller/tasks serves. */
  tasksFor(pollerId: number): CheckTask[] {
    const tasks: CheckTask[] = [];
    for (const live of this.live.values()) {
      if (!live.monitor.paused && live.monitor.pollers.includes(pollerId)) tasks.push(checkTaskOf(live.monitor));
    }
    return tasks.sort((a, b) => a.id - b.id);
  }

  /** Ids of every monitor a poller checks (paused ones too), ascending. */
  monitorsCheckedBy(pollerId: number): number[] {
    const ids: number[] = [];
    for (const live of this.live.values()) if (live.monitor.pollers.includes(pollerId)) ids.push(live.monitor.id);
    return ids.sort((a, b) => a - b);
  }

  /** Whether a poller checks this monitor now. */
  isCheckedBy(monitorId: number, pollerId: number): boolean {
    return this.live.get(monitorId)?.monitor.pollers.includes(pollerId) ?? false;
  }

  // ---- the latest result of each source -------------------------------------------------------------------

  /** The source's latest result; the monitor is looked at again when it goes stale. */
  noteLatest(live: LiveMonitor, source: string, latest: LatestResult): void {
    live.sources.set(source, { status: latest.status, latencyMs: latest.latencyMs, message: latest.message, checkedAt: latest.checkedAt });
    this.staleness.schedule(`${live.monitor.id}|${source}`, latest.checkedAt + staleAfterMs(live.intervalMs) + 1);
  }

  /** A latest result another server stored: taken when it is newer and the monitor is checked from that source. */
  learn(live: LiveMonitor, source: MonitorSource): boolean {
    const known = live.sources.get(source.source);
    if (known && known.checkedAt >= source.checkedAt) return false;
    if (!live.sourceKeys().includes(source.source)) return false;
    this.noteLatest(live, source.source, {
      status: source.status,
      latencyMs: source.latencyMs,
      message: source.message,
      checkedAt: source.checkedAt,
    });
    return true;
  }

  /** Sources the monitor is no longer checked from (a poller unassigned or deleted) are forgotten. */
  forgetLeft(live: LiveMonitor): void {
    const keep = new Set(live.sourceKeys());
    for (const source of [...live.sources.keys()]) {
      if (keep.has(source)) continue;
      live.sources.delete(source);
      this.staleness.remove(`${live.monitor.id}|${source}`);
    }
  }

  /** The monitor is gone: none of its sources goes stale any more. */
  forgetAll(live: LiveMonitor): void {
    for (const source of live.sources.keys()) this.staleness.remove(`${live.monitor.id}|${source}`);
  }
}
