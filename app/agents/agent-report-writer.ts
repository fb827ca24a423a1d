import type { Logger } from '@nestjs/common';
import { BatchWriter } from '../database/batch-writer.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { bucketDeltas, mergeMetricDeltas, seriesOf, type SeriesValue } from './agent-history.js';
import type { ReceivedReport } from './agent-report.dto.js';
import type { AgentSample } from './agent-sample.entity.js';
import type { AgentRepository, AgentSighting } from './agent.repository.js';
import type { LiveAgent } from './live-agent.js';

interface PendingReport {
  sample: AgentSample;
  values: SeriesValue[];
  /** Settles once the report is in the database: true when it was new, false for one stored before. */
  stored(isNew: boolean): void;
}

/** Reports waiting for the database at most; beyond it an agent is told to keep its reports and retry (503). */
const MAX_PENDING = 200_000;
const key = (agentId: number, collectedAt: number) => `${agentId}|${collectedAt}`;

/** Agent reports on their way to the database (raw report, minute/hour buckets, the agent's row), written in batches apart from the agents' live state. */
export class AgentReportWriter {
  private readonly writer: BatchWriter<PendingReport>;

  /**
   * `agentOf`: the live agent (a report of one deleted since it was queued is dropped, not written as an
   * orphan); `written`: the agents whose reports were written (to tell the other servers).
   */
  constructor(
    private readonly repository: AgentRepository,
    logger: Logger,
    metrics: MetricsService,
    private readonly agentOf: (agentId: number) => LiveAgent | undefined,
    private readonly written: (agentIds: number[]) => void,
  ) {
    this.writer = new BatchWriter<PendingReport>({
      name: 'agent reports',
      flushIntervalMs: 100,
      maxBatchSize: 1000,
      maxPending: MAX_PENDING,
      logger,
      write: (items) => this.writeBatch(items),
    });
    const writer = this.writer;
    metrics.gauge({
      name: 'pulse_agent_reports_pending_write',
      help: 'Agent reports waiting to be written',
      collect() {
        this.set(writer.pendingCount);
      },
    });
  }

  /** Whether `count` more reports may wait for the database. */
  hasRoomFor(count: number): boolean {
    return this.writer.pendingCount + count <= MAX_PENDING;
  }

  /** Resolves once the report is stored: true when it was new, false for one stored before. */
  queue(agentId: number, received: ReceivedReport, at: number, receivedAt: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.writer.push({
        sample: { agentId, collectedAt: received.collectedAt, at, receivedAt, report: JSON.stringify(received.report) },
        values: seriesOf(received.report),
        stored: resolve,
      });
    });
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  private async writeBatch(batch: PendingReport[]): Promise<void> {
    // Reports of an agent deleted since they were queued are dropped, not written as orphans.
    const items = batch.filter((item) => this.agentOf(item.sample.agentId) !== undefined);
    const sightings = [...new Set(items.map((item) => item.sample.agentId))].map((agentId) => sighting(this.agentOf(agentId)!));
    // A report queued twice in one batch (sent again while the first was waiting) is new at most once.
    const firstOfKey = new Set<PendingReport>();
    const seen = new Set<string>();
    for (const item of items) {
      const itemKey = key(item.sample.agentId, item.sample.collectedAt);
      if (!seen.has(itemKey)) firstOfKey.add(item);
      seen.add(itemKey);
    }
    const inserted = await this.repository.writeBatch(
      [...firstOfKey].map((item) => item.sample),
      (isNew) =>
        mergeMetricDeltas(
          [...firstOfKey]
            .filter((item) => isNew.has(key(item.sample.agentId, item.sample.collectedAt)))
            .flatMap((item) => bucketDeltas(item.sample.agentId, item.sample.at, item.values)),
        ),
      sightings,
    );
    for (const item of batch) item.stored(firstOfKey.has(item) && inserted.has(key(item.sample.agentId, item.sample.collectedAt)));
    this.written(sightings.map((sighting) => sighting.id));
  }
}

function sighting(agent: LiveAgent): AgentSighting {
  return {
    id: agent.id,
    os: agent.os.slice(0, 200),
    intervalS: agent.intervalS,
    lastSeenAt: agent.lastSeenAt,
    lastCollectedAt: agent.latestCollectedAt ?? agent.lastSeenAt,
    clockSkewMs: agent.skewMs === null ? null : Math.round(agent.skewMs),
    latest: JSON.stringify(agent.latest),
  };
}
