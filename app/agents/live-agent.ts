import type { MetricsReport } from '../agent/metrics-report.js';
import { effectiveThresholds, NO_CPU_WATCH, type AgentThresholds, type CpuWatch } from './agent-state.js';
import type { AgentRow, AgentState } from './agent.entity.js';

/** An agent as the runtime holds it: its settings, its newest figures and its state. */
export class LiveAgent {
  id: number;
  tokenId: number;
  name: string;
  hostname: string;
  os: string;
  intervalS: number;
  overrides: Record<string, number>;
  thresholds: AgentThresholds;
  alerts: string[];
  createdAt: number;
  state: AgentState;
  reason: string;
  since: number | null;
  /** Server time of the last report received. */
  lastSeenAt: number;
  /** The newest report (by collected_at), its collected_at (agent's clock) and when that was by the server's. */
  latest: MetricsReport | null;
  latestCollectedAt: number | null;
  latestAt: number | null;
  /** Agent clock minus server clock (ms), from its latest request that told. */
  skewMs: number | null;
  cpu: CpuWatch = NO_CPU_WATCH;
  /** The agent's outbox as its latest batch reported it (held in memory only). */
  outbox: { queued: number; dropped: number } | null = null;
  /** False until its first report has been judged (its first state change comes from `new`). */
  judged: boolean;

  constructor(row: AgentRow) {
    this.id = row.id;
    this.tokenId = row.tokenId;
    this.name = row.name;
    this.hostname = row.hostname;
    this.os = row.os;
    this.intervalS = row.intervalS;
    this.overrides = row.thresholds;
    this.thresholds = effectiveThresholds(row.thresholds);
    this.alerts = row.alerts;
    this.createdAt = row.createdAt;
    this.state = row.status;
    this.reason = row.statusReason;
    this.since = row.statusSince;
    this.lastSeenAt = row.lastSeenAt ?? row.createdAt;
    this.latest = row.latest ? (JSON.parse(row.latest) as MetricsReport) : null;
    this.latestCollectedAt = row.lastCollectedAt;
    this.skewMs = row.clockSkewMs;
    this.latestAt = row.lastCollectedAt !== null ? row.lastCollectedAt - (row.clockSkewMs ?? 0) : null;
    this.judged = row.lastCollectedAt !== null;
  }

  applySettings(settings: { name: string; hostname: string; thresholds: Record<string, number>; alerts: string[] }): void {
    this.name = settings.name;
    this.hostname = settings.hostname;
    this.overrides = settings.thresholds;
    this.thresholds = effectiveThresholds(settings.thresholds);
    this.alerts = settings.alerts;
  }

  /** The fullest disk, for lists. */
  get fullestDisk(): { mount: string; percent: number } | null {
    let fullest: { mount: string; percent: number } | null = null;
    for (const disk of this.latest?.disks ?? []) if (!fullest || disk.percent > fullest.percent) fullest = disk;
    return fullest ? { mount: fullest.mount, percent: fullest.percent } : null;
  }
}
