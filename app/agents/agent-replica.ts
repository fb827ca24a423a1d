import type { EventBus } from '../events/pulse-events.js';
import type { Clock } from '../runtime/clock.js';
import { downAfterMs, watchCpu } from './agent-state.js';
import type { AgentRow } from './agent.entity.js';
import './agent.events.js';
import { LiveAgent } from './live-agent.js';

/**
 * The runtime's own operations the cluster side is handed (and no one else): each keeps the runtime's books
 * right (agents by token, silence deadlines, state judged and written), so AgentReplica only decides when to use them.
 */
export interface AgentReplicaHost {
  get(agentId: number): LiveAgent | undefined;
  agents(): Iterable<LiveAgent>;
  decides(agentId: number): boolean;
  /** The live agent of the row, taken in (its silence timed where decided) if this server does not hold it yet. */
  hold(row: AgentRow): LiveAgent;
  /** `agent` in place of this server's copy. */
  replace(agent: LiveAgent): void;
  remove(agentId: number): void;
  scheduleSilence(agent: LiveAgent): void;
  stopTiming(agentId: number): void;
  evaluate(agent: LiveAgent, now: number): void;
}

/** The agent runtime's part with several servers (AgentCluster calls it): this server's copy of every agent follows what the others wrote. */
export class AgentReplica {
  constructor(
    private readonly runtime: AgentReplicaHost,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /**
   * What another server wrote for an agent (it bound the token, took a report, changed the settings, judged
   * the state): this server's copy follows. Where this server decides the agent it keeps its own judgement
   * and judges again with the newer figures.
   */
  mirror(row: AgentRow): void {
    const known = this.runtime.get(row.id);
    const agent = known ?? this.runtime.hold(row);
    // The console's pages re-read: a new agent for the lists, new figures for its page.
    this.events.emit(known ? 'agent.reported' : 'agent.changed', { agentId: row.id });
    const fresh = new LiveAgent(row);
    agent.applySettings({ name: fresh.name, hostname: fresh.hostname, thresholds: fresh.overrides, alerts: fresh.alerts });
    agent.os = fresh.os;
    agent.intervalS = fresh.intervalS;
    if (fresh.latestCollectedAt !== null && (agent.latestCollectedAt === null || fresh.latestCollectedAt > agent.latestCollectedAt)) {
      agent.latest = fresh.latest;
      agent.latestCollectedAt = fresh.latestCollectedAt;
      agent.latestAt = fresh.latestAt;
      agent.skewMs = fresh.skewMs;
      const percent = fresh.latest?.cpu?.percent;
      if (this.runtime.decides(agent.id) && fresh.latestAt !== null)
        agent.cpu = watchCpu(
          agent.cpu,
          percent,
          fresh.latestAt,
          agent.thresholds.cpu_percent,
          downAfterMs(agent.intervalS, agent.thresholds),
        );
    }
    agent.lastSeenAt = Math.max(agent.lastSeenAt, fresh.lastSeenAt);
    if (!this.runtime.decides(agent.id)) {
      const changed = agent.state !== fresh.state;
      agent.state = fresh.state;
      agent.reason = fresh.reason;
      agent.since = fresh.since;
      agent.judged = fresh.judged;
      if (changed) this.events.emit('agent.mirrored', { agentId: agent.id, state: agent.state });
      return;
    }
    this.runtime.scheduleSilence(agent);
    this.runtime.evaluate(agent, this.clock.now());
  }

  /** This server is about to decide these agents: what the database holds replaces what it kept. */
  refresh(rows: readonly AgentRow[], inShard: (agentId: number) => boolean): void {
    const seen = new Set<number>();
    for (const row of rows) {
      if (!inShard(row.id)) continue;
      seen.add(row.id);
      const known = this.runtime.get(row.id);
      const agent = new LiveAgent(row);
      if (known) {
        agent.cpu = known.cpu;
        agent.outbox = known.outbox;
        agent.lastSeenAt = Math.max(agent.lastSeenAt, known.lastSeenAt);
      }
      this.runtime.replace(agent);
    }
    for (const { id } of [...this.runtime.agents()]) if (inShard(id) && !seen.has(id)) this.runtime.remove(id);
  }

  /** This server decides these agents now: their silence is timed here, and each is judged. */
  startDeciding(inShard: (agentId: number) => boolean): void {
    const now = this.clock.now();
    for (const agent of this.runtime.agents()) {
      if (!inShard(agent.id)) continue;
      this.runtime.scheduleSilence(agent);
      if (agent.judged) this.runtime.evaluate(agent, now);
    }
  }

  stopDeciding(inShard: (agentId: number) => boolean): void {
    for (const { id } of this.runtime.agents()) if (inShard(id)) this.runtime.stopTiming(id);
  }

  decidedCount(): number {
    let count = 0;
    for (const { id } of this.runtime.agents()) if (this.runtime.decides(id)) count++;
    return count;
  }
}
