import { Query, Req } from '@nestjs/common';
import { AlarmsQuery } from '../alarms/alarms.query.js';
import { ServicesQuery } from '../heartbeats/services.query.js';
import { MONITOR_STATES } from '../monitors/monitor.entity.js';
import { pagination, readListParams } from '../monitors/monitor-list-params.js';
import { MonitorOverview } from '../monitors/monitor-overview.query.js';
import { monitorRowsView } from '../monitors/monitor-rows.view.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { heartbeatSummary } from './heartbeat-summary.js';

/** Monitors on one dashboard page: problems first, so a bad night is visible at the top however many there are. */
const DASHBOARD_ROWS = 20;
/** Services and alarms in error listed on the dashboard, each. */
const HEARTBEAT_ROWS = 8;
const FRAGMENTS = { 'dashboard-monitors': 'dashboard/monitors', 'dashboard-heartbeats': 'dashboard/heartbeats' };

/**
 * The dashboard (SPEC §8): how many monitors are in each state, the monitors with the ones in trouble
 * first (paged, never all 10,000), their sources, uptime and latency, and heartbeats and alarms in brief.
 * Counts and order come from the monitors in memory; only the rows shown read history.
 */
@ConsoleController()
export class DashboardPages {
  constructor(
    private readonly overview: MonitorOverview,
    private readonly services: ServicesQuery,
    private readonly alarms: AlarmsQuery,
    private readonly plugins: PluginRegistry,
  ) {}

  @Page('', { title: 'Dashboard', nav: { order: 0 } })
  async dashboard(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>) {
    const target = request.headers['hx-target'];
    const heartbeatsOnly = request.headers['hx-request'] === 'true' && target === 'dashboard-heartbeats';
    return view(
      'dashboard/index',
      {
        title: 'Dashboard',
        ...(heartbeatsOnly ? {} : await this.monitorsData(query)),
        heartbeats: this.heartbeatData(),
      },
      { fragments: FRAGMENTS },
    );
  }

  private async monitorsData(query: Record<string, unknown>) {
    const params = readListParams(query, { sort: 'state', perPage: DASHBOARD_ROWS });
    const counts = this.overview.counts();
    const pager = pagination({ ...params, perPage: DASHBOARD_ROWS }, counts.total, (page) => (page === 1 ? '' : `?page=${page}`));
    const page = await this.overview.list({}, { key: 'state', descending: false }, { page: pager.current, perPage: DASHBOARD_ROWS });
    const rows = await monitorRowsView(page.items, this.overview, (type) => this.plugins.check(type)?.meta.title ?? type);
    return {
      counts,
      tiles: MONITOR_STATES.map((state) => ({ state, count: counts[state], href: `monitors?state=${state}` })).filter(
        // Paused and maintenance tiles only when there is something in them; the others always, zeros included.
        (tile) => tile.count > 0 || !['paused', 'maintenance'].includes(tile.state),
      ),
      headline: headlineOf(counts),
      rows,
      pager,
      listHref: pager.current === 1 ? '' : `?page=${pager.current}`,
    };
  }

  /** Counts from one pass over the states; only the services shown are made into views. */
  private heartbeatData() {
    return heartbeatSummary(
      {
        serviceStates: this.services.states(),
        servicesInError: this.services.list({ state: 'error', sort: 'last_state_change' }, { page: 1, perPage: HEARTBEAT_ROWS }).items,
        alarmStates: this.alarms.states(),
        alarmsInError: this.alarms.list({ state: 'error' }, { page: 1, perPage: null }).items,
      },
      HEARTBEAT_ROWS,
    );
  }
}

/** One sentence on top of the dashboard: what needs attention, or that nothing does. */
export function headlineOf(
  counts: Record<(typeof MONITOR_STATES)[number], number> & { total: number },
): { tone: string; text: string } | null {
  if (counts.total === 0) return null;
  const aside = [counts.maintenance && `${counts.maintenance} in maintenance`, counts.paused && `${counts.paused} paused`]
    .filter(Boolean)
    .join(', ');
  const tail = aside ? ` (${aside})` : '';
  if (counts.down > 0 || counts.warning > 0) {
    const parts = [counts.down && `${counts.down} down`, counts.warning && `${counts.warning} warning`].filter(Boolean).join(', ');
    return { tone: counts.down > 0 ? 'bad' : 'warn', text: `${parts}.` };
  }
  if (counts.pending > 0) return { tone: 'info', text: `${counts.pending} waiting for a first result; the others are up${tail}.` };
  if (counts.up === 0) return { tone: 'idle', text: `Nothing is being checked${tail}.` };
  return { tone: 'ok', text: `${counts.up === 1 ? 'The one checked monitor is' : `All ${counts.up} checked monitors are`} up${tail}.` };
}
