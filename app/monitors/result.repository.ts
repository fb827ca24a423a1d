import { Injectable } from '@nestjs/common';
import { Between, DataSource, In, LessThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { CheckResultRow } from './check-result.entity.js';
import { MonitorBucket, type BucketPeriod } from './monitor-bucket.entity.js';
import { MonitorSource } from './monitor-source.entity.js';
import type { BucketDelta } from './uptime-buckets.js';

export interface ResultQuery {
  source?: string;
  since?: number;
  until?: number;
  limit: number;
}

const BUCKET_COLUMNS = [
  'monitor_id',
  'period',
  'bucket_start',
  'up_ms',
  'warning_ms',
  'down_ms',
  'maintenance_ms',
  'checks',
  'down_checks',
  'latency_count',
  'latency_sum_ms',
  'latency_min_ms',
  'latency_max_ms',
  'latency_p95_ms',
] as const;
const ADDED = ['up_ms', 'warning_ms', 'down_ms', 'maintenance_ms', 'checks', 'down_checks', 'latency_count', 'latency_sum_ms'];
/** Rows per INSERT, well below SQLite's 32,766 bound parameters. */
const CHUNK = 500;

/** Results, the latest result per source, and the minute/hour buckets: the hot write path and history reads. */
@Injectable()
export class ResultRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get postgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** One batch from the BatchWriter, in one transaction. */
  async writeBatch(results: CheckResultRow[], sources: MonitorSource[], deltas: BucketDelta[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (let start = 0; start < results.length; start += CHUNK) {
        // A result re-sent after a lost answer (same monitor, source and time) is already there.
        await manager
          .createQueryBuilder()
          .insert()
          .into(CheckResultRow)
          .values(results.slice(start, start + CHUNK))
          .orIgnore()
          .execute();
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
      for (let start = 0; start < deltas.length; start += CHUNK) await this.addToBuckets(manager, deltas.slice(start, start + CHUNK));
    });
  }

  /** Adds deltas to their bucket rows (insert or add), in SQL both dialects share but for LEAST/GREATEST. */
  private async addToBuckets(manager: EntityManager, deltas: BucketDelta[]): Promise<void> {
    const parameters: unknown[] = [];
    const rows = deltas.map((delta) => {
      const values = [
        delta.monitorId,
        delta.period,
        delta.bucketStart,
        delta.upMs,
        delta.warningMs,
        delta.downMs,
        delta.maintenanceMs,
        delta.checks,
        delta.downChecks,
        delta.latencyCount,
        delta.latencySumMs,
        delta.latencyMinMs,
        delta.latencyMaxMs,
        delta.latencyP95Ms,
      ];
      return `(${values.map((value) => this.placeholder(parameters.push(value))).join(', ')})`;
    });
    const [least, greatest] = this.postgres ? ['LEAST', 'GREATEST'] : ['MIN', 'MAX'];
    const current = (column: string) => `"monitor_buckets"."${column}"`;
    // NULLs: SQLite's MIN(NULL, x) is NULL, so each side falls back to the other.
    const extreme = (fn: string, column: string) =>
      `${fn}(COALESCE(${current(column)}, excluded."${column}"), COALESCE(excluded."${column}", ${current(column)}))`;
    const updates = [
      ...ADDED.map((column) => `"${column}" = ${current(column)} + excluded."${column}"`),
      `"latency_min_ms" = ${extreme(least, 'latency_min_ms')}`,
      `"latency_max_ms" = ${extreme(greatest, 'latency_max_ms')}`,
      `"latency_p95_ms" = COALESCE(excluded."latency_p95_ms", ${current('latency_p95_ms')})`,
    ];
    await manager.query(
      `INSERT INTO "monitor_buckets" (${BUCKET_COLUMNS.map((column) => `"${column}"`).join(', ')}) VALUES ${rows.join(', ')} ` +
        `ON CONFLICT ("monitor_id", "period", "bucket_start") DO UPDATE SET ${updates.join(', ')}`,
      parameters,
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
