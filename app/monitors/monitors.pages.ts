import { Query, Req } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { Clock } from '../runtime/clock.js';
import { lineChart } from '../web/charts/line-chart.js';
import { uptimeBars } from '../web/charts/uptime-bars.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { LiveHub } from '../web/live-hub.js';
import { orderCheckTypes } from '../web/sidebar.js';
import { MONITOR_STATES } from './monitor.entity.js';
import { listQuery, pagination, readListParams, PAGE_SIZES, type MonitorListParams } from './monitor-list-params.js';
import { LATENCY_RANGES, MonitorOverview, type LatencyRange, type MonitorSort } from './monitor-overview.query.js';
import { incidentsView, monitorRowsView, notableDays, resultsView } from './monitor-rows.view.js';
import { MonitorsQuery } from './monitors.query.js';

const LIST_FRAGMENTS = { 'monitors-list': 'monitors/list' };
const PAGE_FRAGMENTS = {
  'monitor-summary': 'monitors/summary',
  'monitor-sources': 'monitors/sources',
  'monitor-latency': 'monitors/latency',
  'monitor-uptime': 'monitors/uptime',
  'monitor-incidents': 'monitors/incidents',
  'monitor-results': 'monitors/results',
};
const SORT_LABELS: Record<MonitorSort, string> = {
  name: 'Name',
  state: 'State',
  type: 'Type',
  last_change: 'Last change',
  uptime: 'Uptime (24 h)',
};
/** How each sort's two directions read in the Order select. */
const SORT_ORDER_WORDS: Record<MonitorSort, { asc: string; desc: string }> = {
  name: { asc: 'A to Z', desc: 'Z to A' },
  state: { asc: 'Problems first', desc: 'Up first' },
  type: { asc: 'A to Z', desc: 'Z to A' },
  last_change: { asc: 'Oldest first', desc: 'Newest first' },
  uptime: { asc: 'Lowest first', desc: 'Highest first' },
};
const RECENT_RESULTS = 25;
const SHOWN_INCIDENTS = 20;

/**
 * The monitors list (one sidebar entry per check type) and a monitor's page (SPEC §8): server-side
 * paging, sorting and filtering, all in the URL; live through the event stream.
 */
@ConsoleController('monitors')
export class MonitorsPages {
  constructor(
    private readonly overview: MonitorOverview,
    private readonly monitors: MonitorsQuery,
    private readonly plugins: PluginRegistry,
    private readonly clock: Clock,
    live: LiveHub,
  ) {
    live.forward('monitor.changed', 'monitors', (event) => event.monitorId);
    // Every result: per-source figures and recent results on an open monitor page.
    live.forward('monitor.evaluated', 'monitor-checks', (event) => event.monitorId);
  }

  @Page('', { title: 'Monitors', nav: { order: 100, group: 'Monitors', byCheckType: true, allLabel: 'All monitors' } })
  async list(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>) {
    // A sort or page link changed what the filter form shows (its sort, order and page size): it comes
    // along. Not for live refreshes or the form's own requests, which would take the focus from the search box.
    const trigger = request.headers['hx-trigger'];
    const oob = trigger === 'monitors-list' || trigger === 'monitor-filters' ? [] : ['monitors/filters'];
    return view('monitors/index', await this.listData(readListParams(query)), { fragments: LIST_FRAGMENTS, oob });
  }

  @Page(':id', { title: 'Monitor' })
  async show(@Req() request: ConsoleRequest, @IdParam() id: number, @Query('range') rangeParam?: string) {
    const range: LatencyRange = rangeParam && rangeParam in LATENCY_RANGES ? (rangeParam as LatencyRange) : '24h';
    // A live refresh asks for one fragment: only what that fragment shows is read.
    const target = isHtmxRequest(request) ? request.headers['hx-target'] : undefined;
    const only = typeof target === 'string' && Object.hasOwn(PAGE_FRAGMENTS, target) ? target : null;
    const wants = (fragment: keyof typeof PAGE_FRAGMENTS) => only === null || only === fragment;
    const now = this.clock.now();
    const detail = await this.monitors.get(id);
    const [results, incidents, latency, days] = await Promise.all([
      wants('monitor-results') ? this.monitors.resultsOfKnown(id, { limit: RECENT_RESULTS }) : null,
      wants('monitor-incidents') ? this.monitors.incidentsOfKnown(id) : null,
      wants('monitor-latency') ? this.overview.latencyBySource(id, range) : null,
      wants('monitor-uptime') ? this.overview.dayTotals(id, 90) : null,
    ]);
    const plugin = this.plugins.check(detail.type);
    const sourceNames = new Map(detail.sources.map((source) => [source.source, source.name]));
    const monitor = {
      ...detail,
      typeTitle: plugin?.meta.title ?? detail.type,
      targetLabel: plugin?.meta.target.label ?? 'Target',
      since: detail.last_change_at ? Date.parse(detail.last_change_at) : null,
      sources: detail.sources.map((source) => ({ ...source, checkedAt: source.checked_at ? Date.parse(source.checked_at) : null })),
      multiSource: detail.sources.length > 1,
    };
    return view(
      'monitors/show',
      {
        title: detail.name,
        monitor,
        latency: latency && {
          chart: lineChart(
            latency.series.map((series) => ({ name: series.name, points: series.points })),
            { from: latency.from, to: latency.to, title: `Latency per source, ${LATENCY_RANGES[range].label}`, unit: 'ms' },
          ),
          range,
          href: `monitors/${id}?range=${range}`,
          ranges: Object.entries(LATENCY_RANGES).map(([key, value]) => ({
            key,
            description: value.label,
            current: key === range,
            href: `monitors/${id}?range=${key}`,
          })),
        },
        uptime: days && { bars: uptimeBars(days, { now }), days: notableDays(days) },
        incidents: incidents && incidentsView(incidents, SHOWN_INCIDENTS),
        results:
          results &&
          resultsView(results, detail.type).map((result) => ({
            ...result,
            sourceName: sourceNames.get(result.source) ?? result.source,
          })),
      },
      { fragments: PAGE_FRAGMENTS },
    );
  }

  private async listData(params: MonitorListParams) {
    const page = await this.overview.list(
      { state: params.state ?? undefined, type: params.type ?? undefined, q: params.q },
      { key: params.sort, descending: params.descending },
      params,
    );
    const pager = pagination(params, page.total, (number) => `monitors${listQuery({ ...params, page: number })}`);
    const shown =
      pager.current === params.page
        ? page
        : await this.overview.list(
            { state: params.state ?? undefined, type: params.type ?? undefined, q: params.q },
            { key: params.sort, descending: params.descending },
            { ...params, page: pager.current },
          );
    const types = orderCheckTypes(this.plugins.checks().map((check) => ({ id: check.id, title: check.meta.title })));
    const typeTitle = types.find((type) => type.id === params.type)?.title ?? null;
    const rows = await monitorRowsView(shown.items, this.overview, (type) => this.plugins.check(type)?.meta.title ?? type);
    const sortLink = (key: MonitorSort) => {
      const active = params.sort === key;
      const descending = active ? !params.descending : key === 'last_change';
      return {
        key,
        label: SORT_LABELS[key],
        href: `monitors${listQuery({ ...params, sort: key, descending, page: 1 })}`,
        active,
        ariaSort: active ? (params.descending ? 'descending' : 'ascending') : 'none',
        arrow: active ? (params.descending ? '↓' : '↑') : '',
      };
    };
    const filtered = params.state !== null || params.q !== '';
    return {
      title: typeTitle ? `${typeTitle} monitors` : 'Monitors',
      typeTitle,
      params,
      listHref: `monitors${listQuery({ ...params, page: pager.current })}`,
      newHref: `monitors/new${params.type ? `?type=${encodeURIComponent(params.type)}` : ''}`,
      types: types.map((type) => ({ value: type.id, label: type.title, selected: type.id === params.type })),
      states: MONITOR_STATES.map((state) => ({ value: state, selected: state === params.state })),
      pageSizes: PAGE_SIZES.map((size) => ({ value: size, selected: size === params.perPage })),
      sortChoices: (Object.keys(SORT_LABELS) as MonitorSort[]).map((key) => ({
        value: key,
        label: SORT_LABELS[key],
        selected: key === params.sort,
      })),
      sortOrder: SORT_ORDER_WORDS[params.sort],
      sorts: {
        name: sortLink('name'),
        type: sortLink('type'),
        state: sortLink('state'),
        last_change: sortLink('last_change'),
        uptime: sortLink('uptime'),
      },
      rows,
      pager,
      filtered,
      clearHref: `monitors${listQuery({ ...params, state: null, q: '', page: 1 })}`,
      counts: this.overview.counts(),
    };
  }
}
