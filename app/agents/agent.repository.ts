import { Injectable } from '@nestjs/common';
import { Between, DataSource, In, type EntityManager } from 'typeorm';
import { addToBuckets, type BucketTable } from '../database/bucket-upsert.js';
import { AgentBucket, type AgentBucketPeriod } from './agent-bucket.entity.js';
import type { MetricDelta } from './agent-history.js';
import { AgentSample } from './agent-sample.entity.js';
import { AgentRow, type AgentState } from './agent.entity.js';

export interface NewAgent {
  tokenId: number;
  hostname: string;
  os: string;
  intervalS: number;
  at: number;
}

export interface AgentSettings {
  name: string;
  hostname: string;
  thresholds: Record<string, number>;
  alerts: string[];
}

/** What a batch of reports changes on an agent's row (the newest figures, when it was last heard from). */
export interface AgentSighting {
  id: number;
  os: string;
  intervalS: number;
  lastSeenAt: number;
  lastCollectedAt: number;
  clockSkewMs: number | null;
  latest: string;
}

/** Rows per INSERT, well below SQLite's 32,766 bound parameters. */
const CHUNK = 400;
const AGENT_BUCKETS: BucketTable<MetricDelta> = {
  table: 'agent_buckets',
  columns: {
    agent_id: (delta) => delta.agentId,
    period: (delta) => delta.period,
    bucket_start: (delta) => delta.bucketStart,
    metric: (delta) => delta.metric,
    series: (delta) => delta.series,
    samples: (delta) => delta.samples,
    sum: (delta) => delta.sum,
    max: (delta) => delta.max,
  },
  key: ['agent_id', 'period', 'bucket_start', 'metric', 'series'],
  added: ['samples', 'sum'],
  greatest: ['max'],
};

/** Agents, their raw reports and their metric buckets: the only user of TypeORM for agents. */
@Injectable()
export class AgentRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get postgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  findAll(): Promise<AgentRow[]> {
    return this.dataSource.getRepository(AgentRow).find({ order: { id: 'ASC' } });
  }

  findById(id: number): Promise<AgentRow | null> {
    return this.dataSource.getRepository(AgentRow).findOneBy({ id });
  }

  findByIds(ids: readonly number[]): Promise<AgentRow[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.dataSource.getRepository(AgentRow).findBy({ id: In([...ids]) });
  }

  /** The agent a token is bound to (several servers: it may have been bound by another one). */
  findByToken(tokenId: number): Promise<AgentRow | null> {
    return this.dataSource.getRepository(AgentRow).findOneBy({ tokenId });
  }

  async insert(agent: NewAgent): Promise<AgentRow> {
    const repository = this.dataSource.getRepository(AgentRow);
    return repository.save(
      repository.create({
        tokenId: agent.tokenId,
        name: agent.hostname.slice(0, 200),
        hostname: agent.hostname,
        os: agent.os,
        intervalS: agent.intervalS,
        thresholds: {},
        alerts: [],
        status: 'ok',
        statusReason: '',
        statusSince: agent.at,
        lastSeenAt: agent.at,
        lastCollectedAt: null,
        clockSkewMs: null,
        latest: null,
        createdAt: agent.at,
        updatedAt: agent.at,
      }),
    );
  }

  async updateSettings(id: number, settings: AgentSettings, at: number): Promise<void> {
    await this.dataSource.getRepository(AgentRow).update({ id }, { ...settings, updatedAt: at });
  }

  /**
   * Records a judged state. `guard` runs first in the same transaction (several servers: whether this
   * server still decides the agent); the state is written only if it says so. Returns whether it was.
   */
  async applyState(
    id: number,
    status: AgentState,
    reason: string,
    since: number,
    guard?: (manager: EntityManager) => Promise<boolean>,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (guard && !(await guard(manager))) return false;
      await manager.getRepository(AgentRow).update({ id }, { status, statusReason: reason, statusSince: since });
      return true;
    });
  }

  /** The agent, its reports and its buckets. */
  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(AgentBucket).delete({ agentId: id });
      await manager.getRepository(AgentSample).delete({ agentId: id });
      await manager.getRepository(AgentRow).delete({ id });
    });
  }

  /**
   * One batch of reports in one transaction: the raw reports (a report already stored — same agent, same
   * collected_at — is skipped), the bucket deltas of the reports that were new, and the agents' rows.
   * `deltasOf` is asked for the new reports only, so a replayed report is never counted twice. Returns
   * the keys (`agentId|collectedAt`) of the reports that were new.
   */
  async writeBatch(
    samples: AgentSample[],
    deltasOf: (inserted: Set<string>) => MetricDelta[],
    sightings: AgentSighting[],
  ): Promise<Set<string>> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = new Set<string>();
      for (let start = 0; start < samples.length; start += CHUNK)
        for (const key of await this.insertSamples(manager, samples.slice(start, start + CHUNK))) inserted.add(key);
      const deltas = deltasOf(inserted);
      for (let start = 0; start < deltas.length; start += CHUNK)
        await addToBuckets(manager, AGENT_BUCKETS, deltas.slice(start, start + CHUNK));
      for (const sighting of sightings) {
        const { id, ...changes } = sighting;
        // Several servers take reports: a batch written late never moves an agent's figures back.
        await manager
          .createQueryBuilder()
          .update(AgentRow)
          .set(changes)
          .where('id = :id AND (last_seen_at IS NULL OR last_seen_at <= :lastSeenAt)', { id, lastSeenAt: changes.lastSeenAt })
          .execute();
      }
      return inserted;
    });
  }

  private async insertSamples(manager: EntityManager, samples: AgentSample[]): Promise<string[]> {
    const parameters: unknown[] = [];
    const rows = samples.map((sample) => {
      const values = [sample.agentId, sample.collectedAt, sample.at, sample.receivedAt, sample.report];
      return `(${values.map((value) => this.placeholder(parameters.push(value))).join(', ')})`;
    });
    const returned = (await manager.query(
      `INSERT INTO "agent_samples" ("agent_id", "collected_at", "at", "received_at", "report") VALUES ${rows.join(', ')} ` +
        `ON CONFLICT ("agent_id", "collected_at") DO NOTHING RETURNING "agent_id", "collected_at"`,
      parameters,
    )) as { agent_id: number | string; collected_at: number | string }[];
    return returned.map((row) => `${Number(row.agent_id)}|${Number(row.collected_at)}`);
  }

  private placeholder(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }

  /** Buckets of one period between two times, for some metrics (all when `metrics` is empty). */
  buckets(agentId: number, period: AgentBucketPeriod, since: number, until: number, metrics: string[]): Promise<AgentBucket[]> {
    return this.dataSource.getRepository(AgentBucket).find({
      where: { agentId, period, bucketStart: Between(since, until), ...(metrics.length > 0 ? { metric: In(metrics) } : {}) },
      order: { metric: 'ASC', series: 'ASC', bucketStart: 'ASC' },
    });
  }

  /** How many reports of an agent are stored (tests and benchmarks compare it with what was sent). */
  countSamples(agentId: number): Promise<number> {
    return this.dataSource.getRepository(AgentSample).countBy({ agentId });
  }

  async deleteSamplesBefore(cutoff: number, limit: number): Promise<number> {
    return this.deleteInChunks('agent_samples', '"at" < ', cutoff, limit, ['"agent_id"', '"collected_at"']);
  }

  async deleteBucketsBefore(period: AgentBucketPeriod, cutoff: number, limit: number): Promise<number> {
    return this.deleteInChunks('agent_buckets', `"period" = '${period}' AND "bucket_start" < `, cutoff, limit, [
      '"agent_id"',
      '"period"',
      '"bucket_start"',
      '"metric"',
      '"series"',
    ]);
  }

  private async deleteInChunks(table: string, condition: string, cutoff: number, limit: number, key: string[]): Promise<number> {
    const sql = `DELETE FROM "${table}" WHERE (${key.join(', ')}) IN (SELECT ${key.join(', ')} FROM "${table}" WHERE ${condition}${this.placeholder(1)} LIMIT ${Math.floor(limit)})`;
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = (await runner.query(sql, [cutoff], true)) as { affected?: number };
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  }
}
