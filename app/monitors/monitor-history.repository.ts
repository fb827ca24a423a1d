import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BucketPeriod } from './monitor-bucket.entity.js';
import { PERIOD_MS } from './uptime-buckets.js';

export interface StateTotals {
  upMs: number;
  warningMs: number;
  downMs: number;
}

export interface DayRow extends StateTotals {
  /** Start of the UTC day, epoch ms. */
  day: number;
  maintenanceMs: number;
}

export interface LatencyRow {
  monitorId: number;
  source: string;
  bucketStart: number;
  /** Average latency over the bucket, null when no check in it had one. */
  latencyMs: number | null;
}

const DAY_MS = 86_400_000;
/** Ids per IN (...) list: well below SQLite's bound-parameter limit. */
const ID_CHUNK = 500;

const num = (value: unknown) => Number(value ?? 0);

/**
 * The history reads behind the console's lists and charts, all from the minute and hour buckets (never
 * from raw results), for many monitors at once where a page shows many.
 */
@Injectable()
export class MonitorHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get postgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  private placeholders(count: number, first: number): string {
    return Array.from({ length: count }, (_, index) => (this.postgres ? `$${first + index}` : '?')).join(', ');
  }

  /**
   * Time in each state since `since`, per monitor (`ids`, or every monitor when null): minute buckets up
   * to the first whole hour, hour buckets from there, so a 24 h figure reads at most 60 + 24 rows per
   * monitor and is exact to the minute.
   */
  async stateTotals(ids: readonly number[] | null, since: number): Promise<Map<number, StateTotals>> {
    const hourStart = Math.ceil(since / PERIOD_MS.hour) * PERIOD_MS.hour;
    const minuteStart = Math.floor(since / PERIOD_MS.minute) * PERIOD_MS.minute;
    const totals = new Map<number, StateTotals>();
    for (const chunk of ids === null ? [null] : chunks(ids)) {
      if (chunk !== null && chunk.length === 0) continue;
      const p = (n: number) => (this.postgres ? `$${n}` : '?');
      const where = chunk === null ? '' : ` AND "monitor_id" IN (${this.placeholders(chunk.length, 4)})`;
      const rows = (await this.dataSource.query(
        `SELECT "monitor_id" AS id, SUM("up_ms") AS up, SUM("warning_ms") AS warning, SUM("down_ms") AS down FROM "monitor_buckets" ` +
          `WHERE (("period" = 'minute' AND "bucket_start" >= ${p(1)} AND "bucket_start" < ${p(2)}) OR ("period" = 'hour' AND "bucket_start" >= ${p(3)}))` +
          `${where} GROUP BY "monitor_id"`,
        [minuteStart, hourStart, hourStart, ...(chunk ?? [])],
      )) as { id: number | string; up: unknown; warning: unknown; down: unknown }[];
      for (const row of rows) totals.set(Number(row.id), { upMs: num(row.up), warningMs: num(row.warning), downMs: num(row.down) });
    }
    return totals;
  }

  /** Average latency per minute or hour bucket since `since`, for these monitors (the dashboard's sparklines). */
  async monitorLatency(ids: readonly number[], period: BucketPeriod, since: number): Promise<LatencyRow[]> {
    const rows: LatencyRow[] = [];
    for (const chunk of chunks(ids)) {
      if (chunk.length === 0) continue;
      const p = (n: number) => (this.postgres ? `$${n}` : '?');
      const found = (await this.dataSource.query(
        `SELECT "monitor_id" AS id, "bucket_start" AS start, "latency_count" AS n, "latency_sum_ms" AS total FROM "monitor_buckets" ` +
          `WHERE "period" = ${p(1)} AND "bucket_start" >= ${p(2)} AND "monitor_id" IN (${this.placeholders(chunk.length, 3)}) ` +
          `ORDER BY "monitor_id", "bucket_start"`,
        [period, since, ...chunk],
      )) as { id: number | string; start: number | string; n: number | string; total: number | string }[];
      for (const row of found) rows.push(latencyRow(Number(row.id), 'monitor', row));
    }
    return rows;
  }

  /** Average latency per source and bucket of one monitor since `since` (the monitor page's chart). */
  async sourceLatency(monitorId: number, period: BucketPeriod, since: number): Promise<LatencyRow[]> {
    const p = (n: number) => (this.postgres ? `$${n}` : '?');
    const found = (await this.dataSource.query(
      `SELECT "source", "bucket_start" AS start, "latency_count" AS n, "latency_sum_ms" AS total FROM "monitor_source_buckets" ` +
        `WHERE "monitor_id" = ${p(1)} AND "period" = ${p(2)} AND "bucket_start" >= ${p(3)} ORDER BY "source", "bucket_start"`,
      [monitorId, period, since],
    )) as { source: string; start: number | string; n: number | string; total: number | string }[];
    return found.map((row) => latencyRow(monitorId, row.source, row));
  }

  /** Time in each state per UTC day since `since`, from the hour buckets (the 90-day uptime bars). */
  async dayTotals(monitorId: number, since: number): Promise<DayRow[]> {
    const p = (n: number) => (this.postgres ? `$${n}` : '?');
    const day = `("bucket_start" - ("bucket_start" % ${DAY_MS}))`;
    const rows = (await this.dataSource.query(
      `SELECT ${day} AS day, SUM("up_ms") AS up, SUM("warning_ms") AS warning, SUM("down_ms") AS down, SUM("maintenance_ms") AS maintenance ` +
        `FROM "monitor_buckets" WHERE "monitor_id" = ${p(1)} AND "period" = 'hour' AND "bucket_start" >= ${p(2)} GROUP BY ${day} ORDER BY day`,
      [monitorId, since],
    )) as { day: number | string; up: unknown; warning: unknown; down: unknown; maintenance: unknown }[];
    return rows.map((row) => ({
      day: Number(row.day),
      upMs: num(row.up),
      warningMs: num(row.warning),
      downMs: num(row.down),
      maintenanceMs: num(row.maintenance),
    }));
  }
}

function latencyRow(
  monitorId: number,
  source: string,
  row: { start: number | string; n: number | string; total: number | string },
): LatencyRow {
  const count = Number(row.n);
  return { monitorId, source, bucketStart: Number(row.start), latencyMs: count > 0 ? Number(row.total) / count : null };
}

function chunks(ids: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < ids.length; start += ID_CHUNK) out.push(ids.slice(start, start + ID_CHUNK));
  return out.length > 0 ? out : [[]];
}
