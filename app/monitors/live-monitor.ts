import type { PreparedCheck } from '../scheduler/check-runner.js';
import { aggregateStatus, freshStatus, type AggregateStatus } from './aggregate-status.js';
import type { MonitorSourceStatus } from './monitor.events.js';
import type { CheckResultStatus } from './monitor-source.entity.js';
import type { StateSnapshot } from './monitor-state.js';
import type { Monitor } from './monitor.entity.js';
import type { SourceDirectory } from './source-directory.js';
import { BucketAccumulator } from './uptime-buckets.js';

export const PUBLIC_SOURCE = 'public';

export interface LatestResult {
  status: CheckResultStatus;
  latencyMs: number | null;
  message: string;
  checkedAt: number;
}

/** A monitor in memory as readers outside the runtime see it: read-only. */
export interface LiveMonitorView {
  readonly monitor: Readonly<Monitor>;
  readonly state: Readonly<StateSnapshot>;
  /** The options as the check plugin validated them (defaults filled in), or null when they do not validate. */
  readonly config: object | null;
  sourceStatuses(now: number): MonitorSourceStatus[];
}

/** A monitor as the runtime holds it in memory: settings, its prepared check, latest result per source, state. */
export class LiveMonitor implements LiveMonitorView {
  readonly sources = new Map<string, LatestResult>();
  readonly buckets: BucketAccumulator;
  /** The aggregate state held since the last result, for time-weighted uptime. */
  held: AggregateStatus | 'maintenance' | null = null;

  constructor(
    public monitor: Monitor,
    /** The public source's check: plugin looked up and options validated when the monitor was loaded or edited. */
    public check: PreparedCheck,
    public state: StateSnapshot,
    /** Names, locations and liveness of the pollers behind `poller:<id>` sources. */
    private readonly directory: SourceDirectory,
  ) {
    this.buckets = new BucketAccumulator(monitor.id);
  }

  /** The options as the check plugin validated them (defaults filled in), or null when they do not validate. */
  get config(): object | null {
    return this.check.config;
  }

  get intervalMs(): number {
    return this.monitor.intervalS * 1000;
  }

  /** The sources this monitor is checked from: always `public`, plus each assigned poller. */
  sourceKeys(): string[] {
    return [PUBLIC_SOURCE, ...this.monitor.pollers.map((id) => `poller:${id}`)];
  }

  sourceStatuses(now: number): MonitorSourceStatus[] {
    return this.sourceKeys().map((source) => {
      const latest = this.sources.get(source);
      return {
        source,
        ...this.directory.describe(source),
        // A poller judged offline says nothing about now, however recent its last result.
        status: this.directory.isOffline(source) ? 'unknown' : freshStatus(latest, this.intervalMs, now),
        latencyMs: latest?.latencyMs ?? null,
        message: latest?.message ?? '',
        checkedAt: latest?.checkedAt ?? null,
      };
    });
  }

  aggregate(now: number): { status: AggregateStatus; message: string } {
    const sources = this.sourceStatuses(now);
    const status = aggregateStatus(
      sources.map((source) => source.status),
      this.monitor.quorum,
    );
    return { status, message: explain(status, sources) };
  }
}

/** The reason in words: the failing sources' messages (named when there are several sources). */
function explain(status: AggregateStatus, sources: MonitorSourceStatus[]): string {
  if (status === 'pending') return 'no fresh result yet';
  const known = sources.filter((source) => source.status !== 'unknown');
  const telling = status === 'up' ? known : known.filter((source) => source.status !== 'up');
  if (sources.length === 1) return telling[0]?.message ?? '';
  return telling.map((source) => `${source.name}: ${source.message}`).join('; ');
}
