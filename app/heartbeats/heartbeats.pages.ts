import { Body, Get, Param, Post, Query, Req } from '@nestjs/common';
import { Clock } from '../runtime/clock.js';
import { ServiceGlob } from '../runtime/service-glob.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { redirect, view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { formText } from '../web/form-validation.js';
import { pagerView, queryText } from '../web/pager.js';
import type { ServiceDetailsView, ServiceView } from './heartbeat.views.js';
import { SERVICE_STATES, ServicesQuery } from './services.query.js';
import { intervalBars } from './interval-bars.js';
import {
  PAGE_SIZES,
  problemText,
  readServiceListParams,
  readTimeoutField,
  serviceListHref,
  serviceRow,
  sortLink,
  timeoutView,
  analysisText,
  type ServiceListParams,
} from './heartbeat-rows.view.js';
import { HeartbeatsService } from './heartbeats.service.js';

const LIST_FRAGMENTS = { 'heartbeats-list': 'heartbeats/list', 'heartbeats-bulk': 'heartbeats/bulk-delete' };
const SERVICE_FRAGMENTS = { 'service-summary': 'heartbeats/service-summary', 'service-history': 'heartbeats/service-history' };
/** Names a bulk-delete preview lists before "and N more". */
const PREVIEW_NAMES = 20;
const STATE_LABELS: Record<string, string> = { error: 'Error', new: 'New', ok: 'OK', muted: 'Muted', maintenance: 'Maintenance' };

/**
 * The Heartbeats page (SPEC §8, Lovebeat's UI): services with their state, last beat, timeout and rhythm,
 * filtered, sorted and paged on the server; mute, unmute, delete, edit the timeout, delete by glob after a
 * preview; a service's page with its beats, intervals and job runs. Live through the event stream.
 */
@ConsoleController('heartbeats')
export class HeartbeatsPages {
  constructor(
    private readonly services: ServicesQuery,
    private readonly heartbeats: HeartbeatsService,
    private readonly clock: Clock,
  ) {}

  @Page('', { title: 'Heartbeats', nav: { order: 200, group: 'Heartbeats' } })
  list(@Query() query: Record<string, unknown>) {
    return view('heartbeats/index', this.listData(readServiceListParams(query)), { fragments: LIST_FRAGMENTS });
  }

  /** What a glob would select, before deleting by it (also the maintenance form's "matches N services"). */
  @Get('matching')
  matching(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>) {
    const pattern = (queryText(query.pattern) ?? queryText(query.services) ?? '').trim();
    const bulk = { preview: this.preview(pattern) };
    if (!isHtmxRequest(request))
      return view('heartbeats/index', this.listData(readServiceListParams({}), { bulk }), { fragments: LIST_FRAGMENTS });
    const partial = queryText(query.for) === 'maintenance' ? 'heartbeats/matching-note' : 'heartbeats/bulk-preview';
    return view('heartbeats/index', {}, { fragment: { partial, data: { bulk } } });
  }

  /**
   * `DELETE /api/services?pattern=` from the console, only as confirmed: when the pattern now selects
   * another number of services than the preview showed, the new preview is shown to confirm again.
   */
  @Post('delete-matching')
  async deleteMatching(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>) {
    const pattern = formText(body?.pattern) ?? '';
    const expected = Number(formText(body?.expected));
    const preview = this.preview(pattern);
    let bulk: Record<string, unknown>;
    let status = 200;
    if (preview.error !== null || preview.count === 0 || preview.count !== expected) {
      bulk = { preview, changed: preview.error === null && preview.count !== expected };
      status = preview.error !== null ? 422 : 409;
    } else {
      const { deleted } = await this.heartbeats.removeMatching(pattern);
      bulk = { done: { pattern, count: deleted } };
    }
    const data = this.listData(readServiceListParams({}), { bulk });
    if (!isHtmxRequest(request)) return view('heartbeats/index', data, { status, fragments: LIST_FRAGMENTS });
    return view('heartbeats/index', data, { status, fragment: 'heartbeats/bulk-delete', oob: status === 200 ? ['heartbeats/list'] : [] });
  }

  @Page('services/:name', { title: 'Heartbeat service' })
  service(@Param('name') name: string) {
    return view('heartbeats/service', this.serviceData(name), { fragments: SERVICE_FRAGMENTS });
  }

  @Post('services/:name/timeout')
  async setTimeout(@Req() request: ConsoleRequest, @Param('name') name: string, @Body() body: Record<string, unknown>) {
    this.services.get(name, false); // 404 before anything: a timeout never creates a service
    const field = readTimeoutField(formText(body?.timeout) ?? '');
    let error: string | null = field.ok ? null : field.error;
    if (field.ok) {
      try {
        await this.heartbeats.beat(name, { timeout: field.timeout, beat: 'false' }, undefined);
      } catch (failure) {
        if (!(failure instanceof ValidationFailure)) throw failure;
        error = `${failure.fields.timeout ?? failure.message}`.replace(/^timeout /, 'The timeout ');
      }
    }
    return this.afterChange(request, name, body, error ? { timeoutError: error, timeoutValue: formText(body?.timeout) ?? '' } : {});
  }

  @Post('services/:name/mute')
  async mute(@Req() request: ConsoleRequest, @Param('name') name: string, @Body() body: Record<string, unknown>) {
    await this.heartbeats.mute(name);
    return this.afterChange(request, name, body);
  }

  @Post('services/:name/unmute')
  async unmute(@Req() request: ConsoleRequest, @Param('name') name: string, @Body() body: Record<string, unknown>) {
    await this.heartbeats.unmute(name);
    return this.afterChange(request, name, body);
  }

  @Post('services/:name/delete')
  async remove(@Req() request: ConsoleRequest, @Param('name') name: string, @Body() body: Record<string, unknown>) {
    await this.heartbeats.remove(name);
    const back = formText(body?.back);
    if (isHtmxRequest(request) && formText(body?.from) === 'list') {
      return view('heartbeats/index', {}, { fragment: { partial: 'heartbeats/row-deleted', data: { name } } });
    }
    return redirect(back && /^heartbeats(\?|$)/.test(back) ? back : 'heartbeats');
  }

  /** A row (from the list) or the service page's summary (from there), or a redirect for plain forms. */
  private afterChange(request: ConsoleRequest, name: string, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const from = formText(body?.from);
    const status = extra.timeoutError ? 422 : 200;
    if (isHtmxRequest(request) && from === 'list') {
      const row = { ...serviceRow(this.services.get(name, false) as ServiceView), ...extra, editOpen: Boolean(extra.timeoutError) };
      return view('heartbeats/index', {}, { status, fragment: { partial: 'heartbeats/row', data: row } });
    }
    if (isHtmxRequest(request)) {
      return view('heartbeats/service', { ...this.serviceData(name), ...extra }, { status, fragment: 'heartbeats/service-summary' });
    }
    if (extra.timeoutError)
      return view('heartbeats/service', { ...this.serviceData(name), ...extra }, { status, fragments: SERVICE_FRAGMENTS });
    const back = formText(body?.back);
    return redirect(from === 'list' && back && /^heartbeats(\?|$)/.test(back) ? back : `heartbeats/services/${encodeURIComponent(name)}`);
  }

  private listData(params: ServiceListParams, bulk: Record<string, unknown> = {}) {
    const page = this.services.list(
      { state: params.state ?? undefined, q: params.q || undefined, sort: params.sort, descending: params.descending },
      { page: params.page, perPage: params.perPage },
    );
    const counts = this.services.counts();
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    const href = serviceListHref(params);
    return {
      title: 'Heartbeats',
      params,
      listHref: href,
      filtered: params.state !== null || params.q !== '',
      clearHref: 'heartbeats',
      total,
      rows: page.items.map(serviceRow),
      pager: pagerView({ page: params.page, perPage: params.perPage, total: page.total }, (number) =>
        serviceListHref(params, { page: number }),
      ),
      states: [
        {
          label: 'All',
          count: total,
          href: serviceListHref(params, { state: null, page: 1 }),
          current: params.state === null,
          tone: 'all',
        },
        ...['error', 'new', 'ok', 'muted', 'maintenance'].map((state) => ({
          state,
          label: STATE_LABELS[state],
          count: counts[state as keyof typeof counts],
          href: serviceListHref(params, { state: state as ServiceListParams['state'], page: 1 }),
          current: params.state === state,
        })),
      ],
      stateOptions: SERVICE_STATES.map((state) => ({ value: state, label: STATE_LABELS[state], selected: params.state === state })),
      sorts: {
        name: sortLink(params, 'name', 'Service'),
        state: sortLink(params, 'state', 'State'),
        lastBeat: sortLink(params, 'last_beat', 'Last beat'),
      },
      pageSizes: PAGE_SIZES.map((size) => ({ value: size, selected: size === params.perPage })),
      now: this.clock.now(),
      ...bulk,
    };
  }

  private serviceData(name: string) {
    const service = this.services.get(name, true) as ServiceDetailsView;
    const row = serviceRow(service);
    return {
      title: service.name,
      service: {
        ...row,
        minInterval: service.min_interval > 0 ? service.min_interval : null,
        mutedSince: service.muted_since >= 0 ? service.muted_since : null,
        timeoutDetail: timeoutView(service).detail,
        problemText: problemText(service.problem),
        analysis: analysisText(service.analysis),
        lastRun: service.last_run,
      },
      history: {
        beats: [...service.beat_history]
          .reverse()
          .map((at, index, all) => ({ at, text: secondsTime(at), interval: index + 1 < all.length ? at - all[index + 1]! : null })),
        bars: intervalBars(service.intervals, service.effective_timeout),
        runs: [...service.runs].reverse().map((run) => ({ ...run, text: secondsTime(run.ended_at) })),
      },
    };
  }

  private preview(pattern: string) {
    const refused = (error: string) => ({ pattern, error, count: 0, names: [] as string[], more: 0 });
    if (pattern === '') return refused('Type a pattern, e.g. test.* or old-host-*.');
    if (pattern.length > 1024) return refused('A pattern is at most 1024 characters.');
    const glob = new ServiceGlob(pattern);
    const { count, names } = this.services.namesMatching((name) => glob.test(name), PREVIEW_NAMES);
    return { pattern, error: null, count, names, more: Math.max(0, count - PREVIEW_NAMES) };
  }
}

/** `2026-12-01 20:04:31 UTC`: beats and runs need their seconds. */
function secondsTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
