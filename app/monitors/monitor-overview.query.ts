import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock } from '../runtime/clock.js';
import type { LiveMonitor } from './live-monitor.js';
import { MonitorHistoryRepository, type DayRow, type LatencyRow } from './monitor-history.repository.js';
import { MONITOR_STATES, type MonitorState } from './monitor.entity.js';
import type { MonitorSourceStatus } from './monitor.events.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import { uptimePercent } from './uptime-buckets.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The uptime ranking (sort by uptime over every monitor) is worked out again at most this often. */
const RANKING_TTL_MS = 60_000;

export const MONITOR_SORTS = ['state', 'name', 'type', 'last_change', 'uptime'] as const;
export type MonitorSort = (typeof MONITOR_SORTS)[number];

/** Problems first: the order of `sort=state`, and of the dashboard. */
export const STATE_RANK: Record<MonitorState, number> = { down: 0, warning: 1, pending: 2, maintenance: 3, paused: 4, up: 5 };

export interface OverviewFilter {
  state?: MonitorState;
  type?: string;
  /** Text in the name or the target, any case. */
  q?: string;
}

export interface OverviewSort {
  key: MonitorSort;
  descending: boolean;
}

export interface OverviewPage<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

/** A monitor as the console's lists show it: settings in brief, its state and each source's. */
export interface MonitorRow {
  id: number;
  name: string;
  type: string;
  target: string;
  state: MonitorState;
  /** Why, in words: the failing sources' messages (every source's when up). */
  message: string;
  /** When the current state began, null before the first change. */
  since: number | null;
  paused: boolean;
  incidentNumber: number;
  intervalS: number;
  sources: MonitorSourceStatus[];
}

export type LatencyRange = '24h' | '7d' | '30d';
export const LATENCY_RANGES: Record<LatencyRange, { ms: number; period: 'minute' | 'hour'; label: string }> = {
  '24h': { ms: DAY, period: 'minute', label: 'last 24 hours' },
  '7d': { ms: 7 * DAY, period: 'hour', label: 'last 7 days' },
  '30d': { ms: 30 * DAY, period: 'hour', label: 'last 30 days' },
};

export interface SourceSeries {
  source: string;
  name: string;
  points: { t: number; v: number | null }[];
}

/**
 * The monitors as the console's dashboard and lists read them, without a scan per request: counts and
 * orders come from the monitors held in memory (each order worked out once per change, then walked), and
 * only the rows on the page read history, from the minute and hour buckets.
 */
@Injectable()
export class MonitorOverview {
  /** Bumped by every state change and every created, edited or deleted monitor: cached orders go stale. */
  private version = 0;
  private counted: { version: number; counts: Record<MonitorState, number> & { total: number } } | null = null;
  private readonly orders = new Map<MonitorSort, { version: number; stamp: number; ids: number[] }>();
  private ranking: { at: number; uptime: Map<number, number | null> } | null = null;
  private rankingRefresh: Promise<void> | null = null;

  constructor(
    private readonly runtime: MonitorRuntime,
    private readonly history: MonitorHistoryRepository,
    private readonly clock: Clock,
    emitter: EventEmitter2,
  ) {
    const bump = () => this.version++;
    emitter.on('monitor.state-changed', bump);
    emitter.on('monitor.changed', bump);
  }

  /** How many monitors are in each state (the dashboard's tiles). */
  counts(): Record<MonitorState, number> & { total: number } {
    if (this.counted?.version === this.version) return this.counted.counts;
    const counts = { ...(Object.fromEntries(MONITOR_STATES.map((state) => [state, 0])) as Record<MonitorState, number>), total: 0 };
    for (const live of this.all()) {
      counts[live.state.status]++;
      counts.total++;
    }
    this.counted = { version: this.version, counts };
    return counts;
  }

  /** One page of the monitors matching `filter`, in `sort` order (ties by name). */
  async list(filter: OverviewFilter, sort: OverviewSort, paging: { page: number; perPage: number }): Promise<OverviewPage<MonitorRow>> {
    const ids = await this.ordered(sort.key);
    const text = filter.q?.trim().toLowerCase() || null;
    const matches = (live: LiveMonitor) =>
      (!filter.state || live.state.status === filter.state) &&
      (!filter.type || live.monitor.type === filter.type) &&
      (!text || live.monitor.name.toLowerCase().includes(text) || live.monitor.target.toLowerCase().includes(text));
    const start = (paging.page - 1) * paging.perPage;
    const end = start + paging.perPage;
    const now = this.clock.now();
    const items: MonitorRow[] = [];
    let total = 0;
    for (let index = 0; index < ids.length; index++) {
      const live = this.runtime.get(ids[sort.descending ? ids.length - 1 - index : index]!) as LiveMonitor | undefined;
      if (!live || !matches(live)) continue;
      if (total >= start && total < end) items.push(rowOf(live, now));
      total++;
    }
    return { items, page: paging.page, perPage: paging.perPage, total };
  }

  /** One monitor's row, or null when there is none. */
  row(id: number): MonitorRow | null {
    const live = this.runtime.get(id) as LiveMonitor | undefined;
    return live ? rowOf(live, this.clock.now()) : null;
  }

  /** Uptime in percent over the last 24 hours (time-weighted, maintenance left out) of these monitors; null without data. */
  async uptime24h(ids: readonly number[]): Promise<Map<number, number | null>> {
    const totals = await this.history.stateTotals(ids, this.clock.now() - DAY);
    return new Map(ids.map((id) => [id, totals.has(id) ? uptimePercent(totals.get(id)!) : null]));
  }

  /** Average latency per minute over the last `windowMs` of these monitors (the dashboard's sparklines). */
  async latencyTrends(
    ids: readonly number[],
    windowMs = HOUR,
  ): Promise<{ from: number; to: number; points: Map<number, { t: number; v: number | null }[]> }> {
    const to = this.clock.now();
    const from = to - windowMs;
    const rows = await this.history.monitorLatency(ids, 'minute', Math.floor(from / MINUTE) * MINUTE);
    const points = new Map<number, { t: number; v: number | null }[]>(ids.map((id) => [id, []]));
    for (const row of rows) points.get(row.monitorId)?.push({ t: row.bucketStart + MINUTE / 2, v: row.latencyMs });
    return { from, to, points };
  }

  /**
   * Latency over `range` per source of one monitor: per minute over 24 hours, per hour over 7 and 30
   * days. A bucket with no check is a gap in the line; one with checks but no latency (all failed) too.
   */
  async latencyBySource(id: number, range: LatencyRange): Promise<{ from: number; to: number; series: SourceSeries[] }> {
    const live = this.runtime.get(id) as LiveMonitor | undefined;
    const { ms, period } = LATENCY_RANGES[range];
    const to = this.clock.now();
    const from = to - ms;
    const step = period === 'minute' ? MINUTE : HOUR;
    const rows = await this.history.sourceLatency(id, period, Math.floor(from / step) * step);
    const known = live?.sourceStatuses(to) ?? [];
    const names = new Map(known.map((source) => [source.source, source.name]));
    const bySource = new Map<string, LatencyRow[]>();
    for (const source of known) bySource.set(source.source, []);
    for (const row of rows) {
      if (!bySource.has(row.source)) bySource.set(row.source, []);
      bySource.get(row.source)!.push(row);
    }
    // A missing bucket longer than the check interval is a gap (the checks stopped), not a line across it.
    const intervalMs = (live?.monitor.intervalS ?? 60) * 1000;
    const gapAfter = Math.max(step, intervalMs) * 2.5;
    const series = [...bySource].map(([source, sourceRows]) => {
      const points: { t: number; v: number | null }[] = [];
      let previous: number | null = null;
      for (const row of sourceRows) {
        if (previous !== null && row.bucketStart - previous > gapAfter) points.push({ t: previous + step, v: null });
        points.push({ t: row.bucketStart + step / 2, v: row.latencyMs });
        previous = row.bucketStart;
      }
      return { source, name: names.get(source) ?? (source === 'public' ? 'Public' : source), points };
    });
    return { from, to, series };
  }

  /** Time in each state per UTC day, for the last `days` days (the uptime bars). */
  dayTotals(id: number, days = 90): Promise<DayRow[]> {
    const today = Math.floor(this.clock.now() / DAY) * DAY;
    return this.history.dayTotals(id, today - (days - 1) * DAY);
  }

  private *all(): IterableIterator<LiveMonitor> {
    for (const id of this.runtime.monitorIds()) {
      const live = this.runtime.get(id) as LiveMonitor | undefined;
      if (live) yield live;
    }
  }

  /** Every monitor's id in `key` order (ascending), worked out again only after a change. */
  private async ordered(key: MonitorSort): Promise<number[]> {
    const uptime = key === 'uptime' ? await this.uptimeRanking() : null;
    const stamp = uptime ? this.ranking!.at : 0;
    const cached = this.orders.get(key);
    if (cached && cached.version === this.version && cached.stamp === stamp) return cached.ids;
    const entries = [...this.all()].map((live) => ({
      id: live.monitor.id,
      name: live.monitor.name.toLowerCase(),
      live,
      uptime: uptime?.get(live.monitor.id) ?? null,
    }));
    type Entry = (typeof entries)[number];
    const byName = (a: Entry, b: Entry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id);
    const compare: Record<MonitorSort, (a: Entry, b: Entry) => number> = {
      name: byName,
      state: (a, b) => STATE_RANK[a.live.state.status] - STATE_RANK[b.live.state.status] || byName(a, b),
      type: (a, b) => (a.live.monitor.type < b.live.monitor.type ? -1 : a.live.monitor.type > b.live.monitor.type ? 1 : byName(a, b)),
      // Oldest change first; never changed sorts before everything.
      last_change: (a, b) => (a.live.state.since ?? 0) - (b.live.state.since ?? 0) || byName(a, b),
      // Lowest uptime first; without data last.
      uptime: (a, b) => (a.uptime ?? Infinity) - (b.uptime ?? Infinity) || byName(a, b),
    };
    const ids = entries.sort(compare[key]).map((entry) => entry.id);
    this.orders.set(key, { version: this.version, stamp, ids });
    return ids;
  }

  /**
   * Every monitor's 24 h uptime, for sorting by it: one aggregate query over the buckets, kept for a
   * minute. After the first, a stale ranking is served while the next is worked out.
   */
  private async uptimeRanking(): Promise<Map<number, number | null>> {
    const now = this.clock.now();
    if (this.ranking && now - this.ranking.at < RANKING_TTL_MS) return this.ranking.uptime;
    this.rankingRefresh ??= this.history
      .stateTotals(null, now - DAY)
      .then((totals) => {
        const uptime = new Map<number, number | null>();
        for (const [id, total] of totals) uptime.set(id, uptimePercent(total));
        this.ranking = { at: now, uptime };
      })
      .finally(() => (this.rankingRefresh = null));
    if (!this.ranking) await this.rankingRefresh;
    return this.ranking!.uptime;
  }
}

function rowOf(live: LiveMonitor, now: number): MonitorRow {
  const sources = live.sourceStatuses(now);
  return {
    id: live.monitor.id,
    name: live.monitor.name,
    type: live.monitor.type,
    target: live.monitor.target,
    state: live.state.status,
    message: reasonOf(live.state.status, sources),
    since: live.state.since,
    paused: live.monitor.paused,
    incidentNumber: live.state.incidentNumber,
    intervalS: live.monitor.intervalS,
    sources,
  };
}

/** The state's reason in words: the messages of the sources that are not up (of all, when it is up). */
function reasonOf(state: MonitorState, sources: MonitorSourceStatus[]): string {
  if (state === 'paused') return ''; // the state says it all; its sources' last words are old news
  const known = sources.filter((source) => source.status !== 'unknown' && source.message !== '');
  const telling = state === 'up' ? known : known.filter((source) => source.status !== 'up');
  if (telling.length === 0) return state === 'pending' ? 'waiting for the first result' : '';
  if (sources.length === 1) return telling[0]!.message;
  return telling.map((source) => `${source.name}: ${source.message}`).join('; ');
}
