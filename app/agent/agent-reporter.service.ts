import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import os from 'node:os';
import { AgentConfig } from '../config/remote-config.schema.js';
import { PULSE_LOGGER } from '../config/config.module.js';
import { Link } from '../link/index.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { contextLogger, pluginLogger } from '../plugin-host/plugin-context.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { JobScheduler, noRetry, type JobOutcome, type ScheduledJob } from '../scheduler/job-scheduler.js';
import type { CollectorSections } from './collector-options.js';
import { collectRound, setUpCollectors, type CollectorSetup, type RoundResult } from './collectors.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { buildMetricsReport } from './metrics-report.js';

/** Called when the agent cannot go on (the server refuses its token): the entry stops the process. */
export const AGENT_FATAL = Symbol('AGENT_FATAL');
/** The collectors' own agent.conf tables (`[processes]`), claimed at start. */
export const COLLECTOR_SECTIONS = Symbol('COLLECTOR_SECTIONS');
export type AgentFatal = (message: string) => void;

const CONTEXT = 'Agent';
/** A report waits this long in the link for others to join it; the agent makes one per interval, so barely. */
const SEND_WITHIN_MS = 250;

/**
 * The agent's work: every `interval` seconds (on the JobScheduler, one job, no retry: the next interval is
 * the retry) run the collectors, turn their samples into one report and hand it to the link, which keeps
 * it on disk until the server has it. No database.
 */
@Injectable()
export class AgentReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  private link: Link | null = null;
  private scheduler: JobScheduler<ScheduledJob, RoundResult> | null = null;
  private collectors: CollectorSetup[] = [];
  private readonly failing = new Map<string, string>();
  private readonly leftOut = new Set<string>();
  private readonly log;

  constructor(
    private readonly config: AgentConfig,
    private readonly registry: PluginRegistry,
    @Inject(PULSE_LOGGER) private readonly logger: PulseLogger,
    @Inject(AGENT_FATAL) private readonly fatal: AgentFatal,
    @Inject(COLLECTOR_SECTIONS) private readonly sections: CollectorSections,
  ) {
    this.log = contextLogger(logger, CONTEXT);
  }

  onApplicationBootstrap(): void {
    this.collectors = setUpCollectors(this.registry.collectors(), this.config, this.sections);
    const link = Link.open({
      config: this.config,
      role: 'agent',
      path: '/api/agent/metrics',
      itemsKey: 'samples',
      noun: 'samples',
      logger: this.logger,
      flushIntervalMs: SEND_WITHIN_MS,
      onTokenRefused: (message) => this.fatal(`the server refused this agent's token: ${message}`),
    });
    this.link = link;
    link.start();
    const intervalMs = this.config.interval * 1000;
    this.scheduler = new JobScheduler<ScheduledJob, RoundResult>({
      run: (_job, context) => collectRound(this.collectors, context, (id) => pluginLogger(this.logger, id)),
      failed: (_job, problem) => ({
        samples: [],
        failures: [{ id: 'all', problem: problem === 'timeout' ? 'timed out' : problem.message }],
      }),
      onResult: (outcome) => this.report(outcome),
      retry: noRetry,
      maxConcurrent: 1,
      logger: this.log,
      noun: 'collection',
    });
    this.scheduler.upsert({ key: 'metrics', intervalMs, timeoutMs: Math.max(2000, Math.min(15_000, intervalMs - 1000)), retries: 0 });
    this.log.info(
      `reporting every ${this.config.interval} s to ${new URL(this.config.server).origin} with ${this.collectors.map((collector) => collector.id).join(', ')}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler?.stop();
    const queued = this.link?.stats().queued ?? 0;
    await this.link?.close();
    if (queued > 0) this.log.info(`stopped; ${queued} sample(s) kept on disk for the next start`);
  }

  private report(outcome: JobOutcome<ScheduledJob, RoundResult>): void {
    const { samples, failures } = outcome.result;
    this.noteFailures(failures);
    const { report, leftOut } = buildMetricsReport(samples, {
      hostname: os.hostname(),
      collectedAt: outcome.finishedAt,
      interval: this.config.interval,
      version: PULSE_VERSION,
    });
    for (const metric of leftOut.filter((name) => !this.leftOut.has(name))) {
      this.leftOut.add(metric);
      this.log.warn(`${metric} cannot be sent to the server; left out of the reports`);
    }
    this.link?.enqueue(report);
    this.log.debug(`report collected at ${report.collected_at} queued (${samples.length} figures)`);
  }

  /** Says when a collector starts failing and when it works again, not every interval in between. */
  private noteFailures(failures: RoundResult['failures']): void {
    const now = new Map(failures.map((failure) => [failure.id, failure.problem]));
    for (const [id, problem] of now) {
      if (this.failing.get(id) !== problem) this.log.warn(`collector ${id} failed: ${problem}; its figures are missing from the report`);
    }
    for (const id of this.failing.keys()) if (!now.has(id)) this.log.info(`collector ${id} works again`);
    this.failing.clear();
    for (const [id, problem] of now) this.failing.set(id, problem);
  }
}
