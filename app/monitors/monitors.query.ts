import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import type { Page, PageRequest } from '../http/paging.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import type { Monitor, MonitorState } from './monitor.entity.js';
import { MonitorRepository } from './monitor.repository.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import {
  bucketView,
  incidentView,
  monitorDetailView,
  monitorView,
  resultView,
  type BucketView,
  type IncidentView,
  type MonitorDetailView,
  type MonitorView,
  type ResultView,
} from './monitor.views.js';
import { ResultRepository } from './result.repository.js';
import { PERIOD_MS, uptimePercent } from './uptime-buckets.js';

const DAY_MS = 86_400_000;

export interface MonitorFilter {
  status?: MonitorState;
  type?: string;
  /** Text in the name or the target, any case. */
  q?: string;
}

export interface ResultsFilter {
  source?: string;
  since?: number;
  until?: number;
  limit: number;
}

export interface HistoryFilter {
  period: 'minute' | 'hour';
  since?: number;
  until?: number;
}

/**
 * Monitors as the API and the console read them: a filtered page in name order (from the database, so
 * 10,000 monitors cost what 10 do), one monitor with its sources and uptime, its results, incidents and
 * history. Secrets in options are masked in every view.
 */
@Injectable()
export class MonitorsQuery {
  constructor(
    private readonly monitors: MonitorRepository,
    private readonly results: ResultRepository,
    private readonly runtime: MonitorRuntime,
    private readonly registry: PluginRegistry,
    private readonly clock: Clock,
  ) {}

  async list(filter: MonitorFilter, request: PageRequest & { perPage: number }): Promise<Page<MonitorView>> {
    const { monitors, total } = await this.monitors.list({
      status: filter.status,
      type: filter.type,
      q: filter.q?.trim() || undefined,
      page: request.page,
      perPage: request.perPage,
    });
    return { items: monitors.map((monitor) => this.view(monitor)), page: request.page, perPage: request.perPage, total };
  }

  /** 404 when there is no monitor with that id. */
  async get(id: number): Promise<MonitorDetailView> {
    return this.detail(await this.existing(id));
  }

  /** The list view of a monitor in hand (without uptime: no database reads). */
  view(monitor: Monitor): MonitorView {
    return monitorView(monitor, this.runtime.get(monitor.id), this.runtime.inMaintenance(monitor.id), this.secretsOf(monitor.type));
  }

  /** The detail view of a monitor in hand: its sources and uptime over 24 h, 7 d and 30 d. */
  async detail(monitor: Monitor): Promise<MonitorDetailView> {
    const now = this.clock.now();
    const [day, week, month] = await this.results.stateTotalsOfWindows(monitor.id, [
      { period: 'minute', since: now - DAY_MS },
      { period: 'hour', since: now - 7 * DAY_MS },
      { period: 'hour', since: now - 30 * DAY_MS },
    ]);
    const uptime = { '24h': uptimePercent(day), '7d': uptimePercent(week), '30d': uptimePercent(month) };
    return monitorDetailView(
      monitor,
      this.runtime.get(monitor.id),
      this.runtime.inMaintenance(monitor.id),
      uptime,
      now,
      this.secretsOf(monitor.type),
    );
  }

  /** Newest first. */
  async resultsOf(id: number, filter: ResultsFilter): Promise<ResultView[]> {
    await this.existing(id);
    return this.resultsOfKnown(id, filter);
  }

  /** resultsOf() of a monitor just read (the console's monitor page): no second look-up. */
  async resultsOfKnown(id: number, filter: ResultsFilter): Promise<ResultView[]> {
    return (await this.results.results(id, filter)).map(resultView);
  }

  /** Newest first, at most 500, with the monitor's current incident number. */
  async incidentsOf(id: number): Promise<{ incidentNumber: number; incidents: IncidentView[] }> {
    const monitor = await this.existing(id);
    return { incidentNumber: monitor.incidentNumber, incidents: await this.incidentsOfKnown(id) };
  }

  /** The incidents of a monitor just read, newest first, at most 500. */
  async incidentsOfKnown(id: number): Promise<IncidentView[]> {
    const now = this.clock.now();
    return (await this.monitors.incidents(id, 500)).map((incident) => incidentView(incident, now));
  }

  /** Minute or hour buckets: uptime and latency over time, for charts (by default the last day / 30 days). */
  async historyOf(id: number, filter: HistoryFilter): Promise<BucketView[]> {
    await this.existing(id);
    const { period } = filter;
    const until = filter.until ?? this.clock.now();
    const since = filter.since ?? until - (period === 'minute' ? DAY_MS : 30 * DAY_MS);
    if (until - since > (period === 'minute' ? 7 : 400) * DAY_MS) {
      throw ValidationFailure.field(
        'since',
        `at most ${period === 'minute' ? '7 days of minute' : '400 days of hour'} buckets per request; narrow since/until`,
      );
    }
    const buckets = await this.results.buckets(id, period, Math.floor(since / PERIOD_MS[period]) * PERIOD_MS[period], until);
    return buckets.map(bucketView);
  }

  /** Option keys the monitor type's plugin marks as secrets (masked in every view). */
  secretsOf(type: string): readonly string[] | undefined {
    return this.registry.check(type)?.meta.secrets;
  }

  private async existing(id: number): Promise<Monitor> {
    const monitor = await this.monitors.findById(id);
    if (!monitor) throw ApiError.notFound(`There is no monitor with id ${id}. GET /api/monitors lists them.`);
    return monitor;
  }
}
