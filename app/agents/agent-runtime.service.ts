import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { EventBus } from '../events/pulse-events.js';
import { ApiError } from '../http/api-error.js';
import { MaintenanceService } from '../maintenance/maintenance.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Clock } from '../runtime/clock.js';
import { DueTimer } from '../scheduler/due-timer.js';
import { timersWithClock } from '../scheduler/timers.js';
import type { MetricsRequest, ReceivedReport } from './agent-report.dto.js';
import { AgentReplica } from './agent-replica.js';
import { AgentReportWriter } from './agent-report-writer.js';
import { downAfterMs, judgeAgent, watchCpu, type AgentJudgement } from './agent-state.js';
import { AGENT_STATES, type AgentRow } from './agent.entity.js';
import './agent.events.js';
import { AgentRepository, type AgentSettings } from './agent.repository.js';
import { LiveAgent } from './live-agent.js';

export interface IngestOutcome {
  agent_id: number | null;
  accepted: number;
  duplicates: number;
  rejected: { index: number; reason: string }[];
}

/**
 * How the runtime takes part in a cluster (AgentCluster, on PostgreSQL); without it this server decides
 * every agent. An agent's shard decides which server judges its thresholds and its silence.
 */
export interface AgentsCluster {
  decides(agentId: number): boolean;
  /** Within the state write's transaction: whether this server still decides the agent. */
  mayWriteState(agentId: number, manager: EntityManager): Promise<boolean>;
  /** Written: tell the other servers. */
  statesWritten(agentIds: number[]): void;
  reportsWritten(agentIds: number[]): void;
  agentChanged(agentId: number): void;
}

const SOLE: AgentsCluster = {
  decides: () => true,
  mayWriteState: async () => true,
  statesWritten: () => undefined,
  reportsWritten: () => undefined,
  agentChanged: () => undefined,
};

/**
 * The live side of agents: every agent in memory with its newest figures and its state. Reports are judged
 * as they arrive (thresholds) and written in batches (AgentReportWriter: raw report, minute/hour buckets, the
 * agent's row); a request is answered once its reports are in the database. Silence is judged by the server's
 * clock: a DueTimer holds each agent's "down at" deadline. Each state change is an `agent.state-changed` event.
 * With several servers, AgentReplica keeps this server's copies in step through operations handed to it alone.
 */
@Injectable()
export class AgentRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Agents');
  private readonly live = new Map<number, LiveAgent>();
  private readonly byToken = new Map<number, number>();
  private readonly creating = new Map<number, Promise<LiveAgent>>();
  private readonly reportWriter: AgentReportWriter;
  private readonly deadlines: DueTimer<number>;
  private stateWrites: Promise<void> = Promise.resolve();
  private readonly reports: Counter<'result'>;
  private cluster: AgentsCluster = SOLE;
  private startedAt = 0;
  /** Several servers: how this server's copy follows the others (AgentCluster uses it). */
  readonly replica: AgentReplica;

  constructor(
    private readonly repository: AgentRepository,
    private readonly events: EventBus,
    private readonly maintenance: MaintenanceService,
    private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    this.deadlines = new DueTimer<number>(
      (now) => {
        for (const { key: agentId } of this.deadlines.takeDue(now)) this.reevaluate(agentId);
      },
      timersWithClock(() => this.clock.now()),
    );
    this.reports = metrics.counter({
      name: 'pulse_agent_reports_total',
      help: 'Agent reports received, stored or already stored (replayed)',
      labelNames: ['result'],
    });
    const live = this.live;
    metrics.gauge({
      name: 'pulse_agents',
      help: 'Agents by state',
      labelNames: ['state'],
      collect() {
        for (const state of AGENT_STATES) this.set({ state }, [...live.values()].filter((agent) => agent.state === state).length);
      },
    });
    this.reportWriter = new AgentReportWriter(
      repository,
      this.logger,
      metrics,
      (agentId) => this.live.get(agentId),
      (agentIds) => this.cluster.reportsWritten(agentIds),
    );
    this.replica = new AgentReplica(
      {
        get: (agentId) => this.live.get(agentId),
        agents: () => this.live.values(),
        decides: (agentId) => this.cluster.decides(agentId),
        hold: (row) => this.hold(row),
        replace: (agent) => {
          this.live.set(agent.id, agent);
          this.byToken.set(agent.tokenId, agent.id);
        },
        remove: (agentId) => this.remove(agentId),
        scheduleSilence: (agent) => this.scheduleSilence(agent),
        stopTiming: (agentId) => this.deadlines.remove(agentId),
        evaluate: (agent, now) => this.evaluate(agent, now),
      },
      events,
      clock,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.startedAt = this.clock.now();
    for (const row of await this.repository.findAll()) {
      const agent = new LiveAgent(row);
      this.live.set(agent.id, agent);
      this.byToken.set(agent.tokenId, agent.id);
      this.scheduleSilence(agent);
    }
    this.logger.log(`${this.live.size} agent(s) loaded`);
  }

  /**
   * When the agent counts as silent, where this server judges it. While this server was stopped nobody
   * could be heard: every agent gets its full silence allowance from the start.
   */
  private scheduleSilence(agent: LiveAgent): void {
    if (!this.cluster.decides(agent.id)) return;
    this.deadlines.schedule(agent.id, Math.max(agent.lastSeenAt, this.startedAt) + downAfterMs(agent.intervalS, agent.thresholds));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.deadlines.stop();
    await this.reportWriter.close();
    await this.stateWrites;
  }

  // ---- what the API reads ---------------------------------------------------------------------------------

  get(agentId: number): LiveAgent | undefined {
    return this.live.get(agentId);
  }

  all(): LiveAgent[] {
    return [...this.live.values()];
  }

  agentOfToken(tokenId: number): LiveAgent | undefined {
    const agentId = this.byToken.get(tokenId);
    return agentId === undefined ? undefined : this.live.get(agentId);
  }

  inMaintenance(agentId: number): boolean {
    return this.maintenance.covers({ agentId });
  }

  // ---- reports ----------------------------------------------------------------------------------------------

  /**
   * Takes the reports of one request from the agent token `tokenId`: binds the token to a new agent on its
   * first report, refuses reports from another host (403), judges the state and resolves once the reports
   * are stored. A report stored before (same agent, same collected_at) is counted as a duplicate.
   */
  async ingest(tokenId: number, request: MetricsRequest): Promise<IngestOutcome> {
    const receivedAt = this.clock.now();
    if (request.rejected.length > 0) this.reports.inc({ result: 'rejected' }, request.rejected.length);
    if (request.reports.length === 0)
      return { agent_id: this.agentOfToken(tokenId)?.id ?? null, accepted: 0, duplicates: 0, rejected: request.rejected };
    const newest = request.reports.reduce((a, b) => (b.collectedAt > a.collectedAt ? b : a));
    const hostname = newest.report.hostname;
    const agent = this.agentOfToken(tokenId) ?? (await this.boundElsewhere(tokenId)) ?? (await this.create(tokenId, newest, receivedAt));
    const stranger = request.reports.find((received) => received.report.hostname !== agent.hostname);
    if (stranger) {
      throw new ApiError(
        403,
        'wrong_agent',
        `This token belongs to agent ${agent.id} "${agent.name}" (host ${agent.hostname}); it cannot report for host "${stranger.report.hostname.slice(0, 100)}". ` +
          'Give each host an agent token of its own (POST /api/tokens/ {"name","type":"agent"}), or, if this host was renamed, ' +
          `set its new name with PUT /api/agents/${agent.id} {"hostname": "${hostname.slice(0, 100)}"}.`,
      );
    }
    if (!this.reportWriter.hasRoomFor(request.reports.length))
      throw new ApiError(503, 'busy', 'The server cannot store reports right now; keep them and send them again later.', {
        'retry-after': '30',
      });

    // The agent's clock against ours: from when it says it sent this request, or else from a report sent as
    // soon as it was collected (the newest one, with nothing older left in the agent's outbox).
    const fresh = (agent.latestCollectedAt === null || newest.collectedAt > agent.latestCollectedAt) && (request.outbox?.queued ?? 0) === 0;
    if (request.sentAt !== null) agent.skewMs = request.sentAt - receivedAt;
    else if (fresh) agent.skewMs = newest.collectedAt - receivedAt;
    if (request.outbox) agent.outbox = request.outbox;
    const skewMs = agent.skewMs ?? 0;
    agent.lastSeenAt = receivedAt;
    if (newest.report.interval !== undefined) agent.intervalS = newest.report.interval;
    if (newest.report.os) agent.os = newest.report.os;

    const stored: Promise<boolean>[] = [];
    const inRequest = new Set<number>();
    for (const received of [...request.reports].sort((a, b) => a.collectedAt - b.collectedAt)) {
      if (inRequest.has(received.collectedAt)) continue;
      inRequest.add(received.collectedAt);
      const at = received.collectedAt - skewMs;
      agent.cpu = watchCpu(
        agent.cpu,
        received.report.cpu?.percent,
        at,
        agent.thresholds.cpu_percent,
        downAfterMs(agent.intervalS, agent.thresholds),
      );
      if (agent.latestCollectedAt === null || received.collectedAt > agent.latestCollectedAt) {
        agent.latest = received.report;
        agent.latestCollectedAt = received.collectedAt;
        agent.latestAt = at;
      }
      stored.push(this.reportWriter.queue(agent.id, received, at, receivedAt));
    }
    this.scheduleSilence(agent);
    this.evaluate(agent, receivedAt);
    this.events.emit('agent.reported', { agentId: agent.id });

    const accepted = (await Promise.all(stored)).filter(Boolean).length;
    const duplicates = request.reports.length - accepted;
    this.reports.inc({ result: 'stored' }, accepted);
    if (duplicates > 0) this.reports.inc({ result: 'duplicate' }, duplicates);
    return { agent_id: agent.id, accepted, duplicates, rejected: request.rejected };
  }

  /** Several servers: the token may have been bound to an agent by another one a moment ago. */
  private async boundElsewhere(tokenId: number): Promise<LiveAgent | undefined> {
    const row = await this.repository.findByToken(tokenId);
    return row ? this.hold(row) : undefined;
  }

  private hold(row: AgentRow): LiveAgent {
    const known = this.live.get(row.id);
    if (known) return known;
    const agent = new LiveAgent(row);
    this.live.set(agent.id, agent);
    this.byToken.set(agent.tokenId, agent.id);
    this.scheduleSilence(agent);
    return agent;
  }

  private create(tokenId: number, first: ReceivedReport, at: number): Promise<LiveAgent> {
    const known = this.creating.get(tokenId);
    if (known) return known;
    const creating = this.repository
      .insert({ tokenId, hostname: first.report.hostname, os: first.report.os ?? '', intervalS: first.report.interval ?? 30, at })
      .then((row) => {
        const agent = new LiveAgent(row);
        this.live.set(agent.id, agent);
        this.byToken.set(tokenId, agent.id);
        this.logger.log(`agent ${agent.id} "${agent.hostname}" reported for the first time (token #${tokenId})`);
        this.cluster.agentChanged(agent.id);
        this.events.emit('agent.changed', { agentId: agent.id });
        return agent;
      })
      .finally(() => this.creating.delete(tokenId));
    this.creating.set(tokenId, creating);
    return creating;
  }

  // ---- what the API changes ---------------------------------------------------------------------------------

  applySettings(agentId: number, settings: AgentSettings): void {
    const agent = this.live.get(agentId);
    if (!agent) return;
    agent.applySettings(settings);
    if (this.cluster.decides(agentId)) this.deadlines.schedule(agentId, agent.lastSeenAt + downAfterMs(agent.intervalS, agent.thresholds));
    this.evaluate(agent, this.clock.now());
    this.events.emit('agent.changed', { agentId });
  }

  /** Forgets the agent; reports of it still queued are dropped. */
  remove(agentId: number): void {
    const agent = this.live.get(agentId);
    if (!agent) return;
    this.live.delete(agentId);
    this.byToken.delete(agent.tokenId);
    this.deadlines.remove(agentId);
    this.events.emit('agent.changed', { agentId });
  }

  /** Waits until every report and state change so far is in the database. */
  async settle(): Promise<void> {
    await this.reportWriter.flush().catch((error: Error) => this.logger.warn(`agent reports not yet written: ${error.message}`));
    await this.stateWrites;
  }

  /** Looks at an agent's state again (its deadline passed, a maintenance window started or ended). */
  reevaluate(agentId: number): void {
    const agent = this.live.get(agentId);
    if (agent) this.evaluate(agent, this.clock.now());
  }

  // ---- state ------------------------------------------------------------------------------------------------

  private evaluate(agent: LiveAgent, now: number): void {
    if (!this.cluster.decides(agent.id)) return;
    const judgement = judgeAgent(
      {
        report: agent.latest,
        reportAt: agent.latestAt,
        cpu: agent.cpu,
        lastSeenAt: agent.lastSeenAt,
        intervalS: agent.intervalS,
        thresholds: agent.thresholds,
        inMaintenance: this.maintenance.covers({ agentId: agent.id }),
      },
      now,
    );
    const first = !agent.judged;
    agent.judged = true;
    this.change(agent, judgement, now, first);
  }

  private change(agent: LiveAgent, { state, reason }: AgentJudgement, at: number, first: boolean): void {
    if (state === agent.state && reason === agent.reason) return;
    const from = agent.state;
    const previousReason = agent.reason;
    const since = agent.since;
    const changed = state !== from;
    agent.state = state;
    agent.reason = reason;
    if (changed) agent.since = at;
    const agentId = agent.id;
    const stateSince = agent.since ?? at;
    const note = changed ? `agent ${agentId} "${agent.name}": ${from} → ${state}${reason ? ` (${reason})` : ''}` : null;
    this.stateWrites = this.stateWrites
      .then(async () => {
        const written = await this.repository.applyState(agentId, state, reason, stateSince, (manager) =>
          this.cluster.mayWriteState(agentId, manager),
        );
        if (!written) {
          this.logger.warn(`the state of agent ${agentId} (${state}) is not written: another server decides it now`);
          return;
        }
        this.cluster.statesWritten([agentId]);
        // Once written: a change this server could not write is logged by the server that decides it again.
        if (note) this.logger.log(note);
      })
      .catch((error: Error) => this.logger.error(`could not record the state of agent ${agentId} (${state}): ${error.message}`));
    // A different reason in the same state (another disk filling up) is shown, not alerted.
    if (!changed) return;
    this.events.emit('agent.state-changed', {
      agentId,
      name: agent.name,
      hostname: agent.hostname,
      from: first ? 'new' : from,
      to: state,
      reason: state === 'ok' ? (previousReason ? `ok again (was: ${previousReason})` : 'ok again') : reason,
      at,
      since,
      alerts: agent.alerts,
    });
  }

  // ---- several servers (AgentCluster) -------------------------------------------------------------------------

  attachCluster(cluster: AgentsCluster): void {
    this.cluster = cluster;
  }

  /** Writes what is queued (reports, states) now. */
  flushWrites(): Promise<void> {
    return this.settle();
  }
}
