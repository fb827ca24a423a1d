import { Injectable } from '@nestjs/common';
import { Between, DataSource, In, LessThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { addToBuckets, type BucketTable } from '../database/bucket-upsert.js';
import { CheckResultRow } from './check-result.entity.js';
import { MonitorBucket, type BucketPeriod } from './monitor-bucket.entity.js';
import { MonitorSource } from './monitor-source.entity.js';
import { sourceBucketDeltas, type SourceBucketDelta } from './source-buckets.js';
import { mergeDeltas, timeOnly, type BucketDelta } from './uptime-buckets.js';

/** A result to store and what it adds to the minute and hour buckets. */
export interface ResultWrite {
  row: CheckResultRow;
  deltas: BucketDelta[];
}

const resultKey = (row: Pick<CheckResultRow, 'monitorId' | 'checkedAt' | 'source'>) => `${row.monitorId}|${row.source}|${row.checkedAt}`;

export interface ResultQuery {
  source?: string;
  since?: number;
  until?: number;
  limit: number;
}

const MONITOR_BUCKETS: BucketTable<BucketDelta> = {
  table: 'monitor_buckets',
  columns: {
    monitor_id: (delta) => delta.monitorId,
    period: (delta) => delta.period,
    bucket_start: (delta) => delta.bucketStart,
    up_ms: (delta) => delta.upMs,
    warning_ms: (delta) => delta.warningMs,
    down_ms: (delta) => delta.downMs,
    maintenance_ms: (delta) => delta.maintenanceMs,
    checks: (delta) => delta.checks,
    down_checks: (delta) => delta.downChecks,
    latency_count: (delta) => delta.latencyCount,
    latency_sum_ms: (delta) => delta.latencySumMs,
    latency_min_ms: (delta) => delta.latencyMinMs,
    latency_max_ms: (delta) => delta.latencyMaxMs,
    latency_p95_ms: (delta) => delta.latencyP95Ms,
  },
  key: ['monitor_id', 'period', 'bucket_start'],
  added: ['up_ms', 'warning_ms', 'down_ms', 'maintenance_ms', 'checks', 'down_checks', 'latency_count', 'latency_sum_ms'],
  least: ['latency_min_ms'],
  greatest: ['latency_max_ms'],
  latest: ['latency_p95_ms'],
};
const SOURCE_BUCKETS: BucketTable<SourceBucketDelta> = {
  table: 'monitor_source_buckets',
  columns: {
    monitor_id: (delta) => delta.monitorId,
    source: (delta) => delta.source,
    period: (delta) => delta.period,
    bucket_start: (delta) => delta.bucketStart,
    checks: (delta) => delta.checks,
    down_checks: (delta) => delta.downChecks,
    latency_count: (delta) => delta.latencyCount,
    latency_sum_ms: (delta) => delta.latencySumMs,
    latency_min_ms: (delta) => delta.latencyMinMs,
    latency_max_ms: (delta) => delta.latencyMaxMs,
  },
  key: ['monitor_id', 'source', 'period', 'bucket_start'],
  added: ['checks', 'down_checks', 'latency_count', 'latency_sum_ms'],
  least: ['latency_min_ms'],
  greatest: ['latency_max_ms'],
};
/** Rows per INSERT, well below SQLite's 32,766 bound parameters. */
const CHUNK = 500;

/** Results, the latest result per source, and the minute/hour buckets: the hot write path and history reads. */
@Injectable()
export class ResultRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get postgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /**
   * One batch from the BatchWriter, in one transaction. A result is identified by (monitor, source,
   * checked_at): one already stored (a poller resending after a lost answer, a replay after a restart) is
   * not stored again, and its bucket deltas add no check, latency or down count, only the time the
   * monitor held its state (which the runtime never credits twice). Returns, per result, whether it was new.
   */
  async writeBatch(results: ResultWrite[], sources: MonitorSource[]): Promise<boolean[]> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = new Set<string>();
      for (let start = 0; start < results.length; start += CHUNK) {
        for (const key of await this.insertNew(manager, results.slice(start, start + CHUNK))) inserted.add(key);
      }
      for (let start = 0; start < sources.length; start += CHUNK) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(MonitorSource)
          .values(sources.slice(start, start + CHUNK))
          .orUpdate(['status', 'latency_ms', 'message', 'checked_at'], ['monitor_id', 'source'])
          .execute();
      }
      // The first of several equal results in one batch is the new one; the others are duplicates.
      const isNew = results.map(({ row }) => inserted.delete(resultKey(row)));
      const deltas = mergeDeltas(results.flatMap((write, index) => (isNew[index] ? write.deltas : write.deltas.map(timeOnly))));
      for (let start = 0; start < deltas.length; start += CHUNK)
        await addToBuckets(manager, MONITOR_BUCKETS, deltas.slice(start, start + CHUNK));
      const perSource = sourceBucketDeltas(results.filter((_, index) => isNew[index]).map(({ row }) => row));
      for (let start = 0; start < perSource.length; start += CHUNK)
        await addToBuckets(manager, SOURCE_BUCKETS, perSource.slice(start, start + CHUNK));
      return isNew;
    });
  }

  /** INSERT … ON CONFLICT DO NOTHING RETURNING the keys: which of these rows were not stored before. */
  private async insertNew(manager: EntityManager, writes: ResultWrite[]): Promise<string[]> {
    const parameters: unknown[] = [];
    const rows = writes.map(({ row }) => {
      const values = [row.monitorId, row.checkedAt, row.source, row.status, row.latencyMs, row.message, row.details];
      return `(${values.map((value) => this.placeholder(parameters.push(value))).join(', ')})`;
    });
    const result = (await manager.queryRunner!.query(
      `INSERT INTO "check_results" ("monitor_id", "checked_at", "source", "status", "latency_ms", "message", "details") ` +
        `VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING RETURNING "monitor_id", "checked_at", "source"`,
      parameters,
      true,
    )) as { records?: { monitor_id: number | string; checked_at: number | string; source: string }[] };
    return (result.records ?? []).map((record) =>
      resultKey({ monitorId: Number(record.monitor_id), checkedAt: Number(record.checked_at), source: record.source }),
    );
  }

  private placeholder(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }

  allSources(): Promise<MonitorSource[]> {
    return this.dataSource.getRepository(MonitorSource).find();
  }

  /** The latest result of every source of these monitors. */
  sourcesOfMonitors(monitorIds: readonly number[]): Promise<MonitorSource[]> {
    if (monitorIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(MonitorSource).findBy({ monitorId: In([...monitorIds]) });
  }

  sourcesOf(monitorId: number): Promise<MonitorSource[]> {
    return this.dataSource.getRepository(MonitorSource).find({ where: { monitorId }, order: { source: 'ASC' } });
  }

  results(monitorId: number, query: ResultQuery): Promise<CheckResultRow[]> {
    const where: FindOptionsWhere<CheckResultRow> = { monitorId };
    if (query.source) where.source = query.source;
    if (query.since !== undefined || query.until !== undefined)
      where.checkedAt = Between(query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER);
    return this.dataSource.getRepository(CheckResultRow).find({ where, order: { checkedAt: 'DESC', source: 'ASC' }, take: query.limit });
  }

  /** Sums of the time spent in each state over buckets of one period starting at or after `since`. */
  async stateTotals(monitorId: number, period: BucketPeriod, since: number): Promise<{ upMs: number; warningMs: number; downMs: number }> {
    const row = await this.dataSource
      .getRepository(MonitorBucket)
      .createQueryBuilder('bucket')
      .select('COALESCE(SUM(bucket.up_ms), 0)', 'up')
      .addSelect('COALESCE(SUM(bucket.warning_ms), 0)', 'warning')
      .addSelect('COALESCE(SUM(bucket.down_ms), 0)', 'down')
      .where('bucket.monitor_id = :monitorId AND bucket.period = :period AND bucket.bucket_start >= :since', { monitorId, period, since })
      .getRawOne<{ up: string | number; warning: string | number; down: string | number }>();
    return { upMs: Number(row?.up ?? 0), warningMs: Number(row?.warning ?? 0), downMs: Number(row?.down ?? 0) };
  }

  /**
   * stateTotals() of several windows in one query (the monitor page's 24 h, 7 d and 30 d: one turn on the
   * database instead of three), in the order given.
   */
  async stateTotalsOfWindows(
    monitorId: number,
    windows: readonly { period: BucketPeriod; since: number }[],
  ): Promise<{ upMs: number; warningMs: number; downMs: number }[]> {
    const query = this.dataSource.getRepository(MonitorBucket).createQueryBuilder('bucket');
    const inWindow = windows.map((window, index) => {
      query.setParameter(`period${index}`, window.period).setParameter(`since${index}`, window.since);
      return `(bucket.period = :period${index} AND bucket.bucket_start >= :since${index})`;
    });
    const sums = inWindow.flatMap((condition, index) =>
      ['up', 'warning', 'down'].map(
        (state) => [`COALESCE(SUM(CASE WHEN ${condition} THEN bucket.${state}_ms ELSE 0 END), 0)`, `${state}${index}`] as const,
      ),
    );
    query.select(sums[0]![0], sums[0]![1]);
    for (const [expression, alias] of sums.slice(1)) query.addSelect(expression, alias);
    query.where('bucket.monitor_id = :monitorId', { monitorId }).andWhere(`(${inWindow.join(' OR ')})`);
    const row = (await query.getRawOne<Record<string, string | number>>()) ?? {};
    return windows.map((_, index) => ({
      upMs: Number(row[`up${index}`] ?? 0),
      warningMs: Number(row[`warning${index}`] ?? 0),
      downMs: Number(row[`down${index}`] ?? 0),
    }));
  }

  buckets(monitorId: number, period: BucketPeriod, since: number, until: number): Promise<MonitorBucket[]> {
    return this.dataSource
      .getRepository(MonitorBucket)
      .find({ where: { monitorId, period, bucketStart: Between(since, until) }, order: { bucketStart: 'ASC' } });
  }

  /** Deletes up to `limit` rows older than the cutoff; returns how many (run in a loop to keep transactions short). */
  async deleteResultsBefore(cutoff: number, limit: number): Promise<number> {
    return this.deleteInChunks('check_results', '"checked_at" < ', cutoff, limit, ['"monitor_id"', '"checked_at"', '"source"']);
  }

  async deleteBucketsBefore(period: BucketPeriod, cutoff: number, limit: number): Promise<number> {
    return this.deleteInChunks('monitor_buckets', `"period" = '${period}' AND "bucket_start" < `, cutoff, limit, [
      '"monitor_id"',
      '"period"',
      '"bucket_start"',
    ]);
  }

  async deleteSourceBucketsBefore(period: BucketPeriod, cutoff: number, limit: number): Promise<number> {
    return this.deleteInChunks('monitor_source_buckets', `"period" = '${period}' AND "bucket_start" < `, cutoff, limit, [
      '"monitor_id"',
      '"source"',
      '"period"',
      '"bucket_start"',
    ]);
  }

  private async deleteInChunks(table: string, condition: string, cutoff: number, limit: number, key: string[]): Promise<number> {
    const cut = this.placeholder(1);
    const sql = `DELETE FROM "${table}" WHERE (${key.join(', ')}) IN (SELECT ${key.join(', ')} FROM "${table}" WHERE ${condition}${cut} LIMIT ${Math.floor(limit)})`;
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = (await runner.query(sql, [cutoff], true)) as { affected?: number };
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  }

  /** Oldest-first check that nothing older than the cutoff is left (used by tests). */
  countResultsBefore(cutoff: number): Promise<number> {
    return this.dataSource.getRepository(CheckResultRow).countBy({ checkedAt: LessThan(cutoff) });
  }
}
