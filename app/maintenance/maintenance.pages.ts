import { Body, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DateTime } from 'luxon';
import { ApiError } from '../http/api-error.js';
import { IdParam } from '../http/id-param.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { redirect, view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { formErrorsOf, validateForm } from '../web/form-validation.js';
import { LiveHub } from '../web/live-hub.js';
import { queryText } from '../web/pager.js';
import { MaintenanceWindowDto } from './maintenance.dto.js';
import {
  describeCron,
  emptyForm,
  formFieldErrors,
  formOfWindow,
  isTimeZone,
  nextOccurrences,
  occurrenceView,
  readForm,
  serverTimeZone,
  toWindowInput,
  type MaintenanceFormValues,
} from './maintenance-form.js';
import { nextOccurrence, scheduleProblem, type MaintenanceWindow, type Occurrence } from './maintenance-window.js';
import type { MaintenanceView } from './maintenance.dto.js';
import { MaintenanceQuery } from './maintenance.query.js';
import { MaintenanceWindowsService } from './maintenance-windows.service.js';
import { AgentChoices, MonitorChoices, scopeChoicesOf, type ScopeChoice, type ScopeChoices } from './scope-choices.js';

const LIST_FRAGMENTS = { 'maintenance-list': 'maintenance/list' };
/** The form is the dialog's content for htmx, and a page of its own without JavaScript. */
const FORM_FRAGMENTS = { 'maintenance-dialog-body': 'maintenance/form', 'maintenance-form': 'maintenance/form' };
/** What the picker lists besides the chosen ones. */
const PICKER_MATCHES = 25;

/** The two pickers of the form: monitors and agents, each with its search and its checkboxes. */
const PICKERS = {
  monitors: { port: MonitorChoices, input: 'monitor_ids', searchName: 'monitor_search', noun: 'monitor', label: 'Monitors' },
  agents: { port: AgentChoices, input: 'agent_ids', searchName: 'agent_search', noun: 'agent', label: 'Agents' },
} as const;
type PickerKind = keyof typeof PICKERS;
const PREVIEW_COUNT = 5;
/** The time zone names the form suggests (`UTC` is one, though ICU lists it under Etc/). */
const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];

type WindowView = MaintenanceView;

/**
 * The Maintenance page (SPEC §8): windows on now, coming and over, with their next occurrence; one-off
 * and recurring (cron, duration, time zone) windows made and edited through a form with the service's
 * errors next to their fields, and a preview of the next occurrences computed here on the server.
 */
@ConsoleController('maintenance')
export class MaintenancePages {
  private readonly choices = new Map<PickerKind, ScopeChoices>();

  constructor(
    private readonly windows: MaintenanceWindowsService,
    private readonly query: MaintenanceQuery,
    private readonly moduleRef: ModuleRef,
    private readonly clock: Clock,
    live: LiveHub,
  ) {
    live.forward('maintenance.edited', 'maintenance', (event) => event.id);
  }

  @Page('', { title: 'Maintenance', nav: { order: 700, group: 'Alerting' } })
  async list() {
    return view('maintenance/index', await this.listData(), { fragments: LIST_FRAGMENTS });
  }

  @Page('new', { title: 'New maintenance window' })
  async add() {
    return this.formView({ values: emptyForm(serverTimeZone()), errors: {}, id: null });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>) {
    return this.save(null, readForm(body ?? {}));
  }

  @Page(':id/edit', { title: 'Edit maintenance window' })
  async edit(@IdParam() id: number) {
    return this.formView({ values: formOfWindow(windowOf(await this.query.get(id)), serverTimeZone()), errors: {}, id });
  }

  @Post(':id')
  async update(@IdParam() id: number, @Body() body: Record<string, unknown>) {
    await this.query.get(id); // 404 before reading the form
    return this.save(id, readForm(body ?? {}));
  }

  @Post(':id/delete')
  async remove(@Req() request: ConsoleRequest, @IdParam() id: number) {
    await this.windows.remove(id);
    if (!isHtmxRequest(request)) return redirect('maintenance');
    return view('maintenance/index', await this.listData(), { fragment: 'maintenance/list' });
  }

  /** The next occurrences of a recurring schedule, as the form's fields say it (asked while typing). */
  @Get('preview')
  preview(@Query() query: Record<string, unknown>) {
    const data = this.previewOf(
      queryText(query.cron)?.trim() ?? '',
      queryText(query.duration_min)?.trim() ?? '',
      queryText(query.timezone)?.trim() ?? '',
    );
    return view('maintenance/index', {}, { fragment: { partial: 'maintenance/preview', data: { preview: data } } });
  }

  /** A picker's options as its search box asks: the chosen ones, then those matching the search. */
  @Get('choices/:kind')
  async picker(@Param('kind') kind: string, @Query() query: Record<string, unknown>) {
    if (!(kind in PICKERS)) throw ApiError.notFound(`There is no picker "${kind}".`);
    const picker = PICKERS[kind as PickerKind];
    const chosen = (Array.isArray(query[picker.input]) ? (query[picker.input] as unknown[]) : [query[picker.input]])
      .filter((id): id is string => typeof id === 'string' && /^\d{1,10}$/.test(id))
      .map(Number);
    const data = await this.pickerOf(kind as PickerKind, chosen, queryText(query[picker.searchName])?.trim() ?? '');
    return view('maintenance/index', {}, { fragment: { partial: 'maintenance/picker-options', data: { picker: data } } });
  }

  private async save(id: number | null, values: MaintenanceFormValues) {
    const input = toWindowInput(values);
    if (!input.ok) return this.formView({ values, errors: input.errors, id }, 422);
    const checked = await validateForm(MaintenanceWindowDto, { ...input.dto });
    if (!checked.ok) return this.formView({ values, errors: formFieldErrors(checked.errors), id }, 422);
    try {
      if (id === null) await this.windows.create(checked.value);
      else await this.windows.update(id, checked.value);
    } catch (error) {
      if (!(error instanceof ValidationFailure)) throw error;
      const general = error.errors.filter((problem) => problem.field === '').map((problem) => problem.message);
      return this.formView({ values, errors: formFieldErrors(formErrorsOf(error)), id, general }, 422);
    }
    return redirect('maintenance');
  }

  private async formView(
    form: { values: MaintenanceFormValues; errors: Record<string, string>; id: number | null; general?: string[] },
    status = 200,
  ) {
    const { values } = form;
    const data = {
      ...form,
      editing: form.id !== null,
      hasErrors: Object.keys(form.errors).length > 0 || (form.general?.length ?? 0) > 0,
      serverZone: serverTimeZone(),
      zones: TIME_ZONES,
      preview: values.kind === 'recurring' && values.cron !== '' ? this.previewOf(values.cron, values.duration_min, values.timezone) : null,
      monitorPicker: await this.pickerOf('monitors', values.monitor_ids, ''),
      agentPicker: await this.pickerOf('agents', values.agent_ids, ''),
    };
    const title = form.id === null ? 'New maintenance window' : `Edit ${values.name || 'maintenance window'}`;
    return view('maintenance/form-page', { title, form: data }, { status, fragments: FORM_FRAGMENTS });
  }

  private async listData() {
    const now = this.clock.now();
    const zone = serverTimeZone();
    const all = (await this.query.list({}, { page: 1, perPage: null })).items;
    const nameMap = async (kind: PickerKind, ids: number[]) =>
      new Map((await this.choicesFor(kind).byIds([...new Set(ids)])).map((choice) => [choice.id, choice.name]));
    const names = {
      monitors: await nameMap(
        'monitors',
        all.flatMap((window) => window.monitor_ids),
      ),
      agents: await nameMap(
        'agents',
        all.flatMap((window) => window.agent_ids),
      ),
    };
    const rows = all.map((shown) => this.row(windowOf(shown), shown, names, zone));
    const group = (state: string) => rows.filter((row) => row.state === state);
    const upcoming = group('upcoming').sort((a, b) => a.next!.start - b.next!.start);
    return {
      title: 'Maintenance',
      serverZone: zone,
      serverNow: DateTime.fromMillis(now, { zone }).toFormat('ccc yyyy-MM-dd HH:mm'),
      active: group('active'),
      upcoming,
      past: group('past').reverse(),
      total: rows.length,
    };
  }

  private row(window: MaintenanceWindow, shown: WindowView, names: Record<PickerKind, Map<number, string>>, serverZone: string) {
    const zone = window.cron === null ? serverZone : window.timezone;
    const current = spanOf(shown.current);
    const next = spanOf(shown.next);
    const monitors = window.monitorIds.map((id) => ({ id, name: names.monitors.get(id) ?? null }));
    const agents = window.agentIds.map((id) => ({ id, name: names.agents.get(id) ?? null }));
    return {
      id: window.id,
      name: window.name,
      recurring: window.cron !== null,
      cron: window.cron,
      cronText: window.cron ? describeCron(window.cron) : null,
      durationMs: window.durationMin === null ? null : window.durationMin * 60_000,
      zone,
      once: window.cron === null && window.startsAt !== null ? occurrenceView({ start: window.startsAt, end: window.endsAt! }, zone) : null,
      state: current ? 'active' : next ? 'upcoming' : 'past',
      current: current && occurrenceView(current, zone),
      next: next && occurrenceView(next, zone),
      scope: {
        all: window.all,
        monitors: monitors.slice(0, 5),
        moreMonitors: Math.max(0, monitors.length - 5),
        services: window.services,
        agents: agents.slice(0, 5),
        moreAgents: Math.max(0, agents.length - 5),
      },
    };
  }

  private previewOf(cron: string, durationText: string, timezone: string) {
    if (cron === '') return { error: 'Type a cron line to see when the window will be on.', occurrences: [] };
    const zone = timezone === '' ? 'UTC' : timezone;
    if (!isTimeZone(zone)) return { error: `“${zone}” is not a time zone.`, occurrences: [] };
    const problem = scheduleProblem(cron, zone);
    if (problem) return { error: `${problem.field === 'cron' ? 'Cron' : 'Time zone'}: ${problem.message}`, occurrences: [] };
    const duration = /^\d{1,6}$/.test(durationText) && Number(durationText) > 0 ? Number(durationText) : null;
    const window = { cron, durationMin: duration ?? 1, timezone: zone, startsAt: null, endsAt: null } as MaintenanceWindow;
    const occurrences = nextOccurrences((after) => nextOccurrence(window, after), this.clock.now(), PREVIEW_COUNT);
    return {
      error: null,
      description: describeCron(cron),
      zone,
      durationKnown: duration !== null,
      occurrences: occurrences.map((occurrence) => occurrenceView(occurrence, zone)),
    };
  }

  private async pickerOf(kind: PickerKind, chosenIds: readonly number[], search: string) {
    const choices = this.choicesFor(kind);
    const chosen = await choices.byIds(chosenIds);
    const chosenSet = new Set(chosen.map((choice) => choice.id));
    const matches = (await choices.search(search, PICKER_MATCHES + chosen.length))
      .filter((choice) => !chosenSet.has(choice.id))
      .slice(0, PICKER_MATCHES);
    const option = (choice: ScopeChoice, checked: boolean) => ({ ...choice, checked });
    return {
      ...PICKERS[kind],
      kind,
      search,
      options: [...chosen.map((choice) => option(choice, true)), ...matches.map((choice) => option(choice, false))],
      missing: chosenIds.filter((id) => !chosenSet.has(id)),
      more: matches.length === PICKER_MATCHES,
    };
  }

  private choicesFor(kind: PickerKind): ScopeChoices {
    let choices = this.choices.get(kind);
    if (!choices) {
      choices = scopeChoicesOf(this.moduleRef, PICKERS[kind].port);
      this.choices.set(kind, choices);
    }
    return choices;
  }
}

/** An occurrence from its API form. */
function spanOf(span: { starts_at: string | null; ends_at: string | null } | null): Occurrence | null {
  return span?.starts_at && span.ends_at ? { start: Date.parse(span.starts_at), end: Date.parse(span.ends_at) } : null;
}

/** The window an API view describes (times back to epoch ms). */
function windowOf(shown: WindowView): MaintenanceWindow {
  return {
    id: shown.id,
    name: shown.name,
    startsAt: shown.starts_at === null ? null : Date.parse(shown.starts_at),
    endsAt: shown.ends_at === null ? null : Date.parse(shown.ends_at),
    cron: shown.cron,
    durationMin: shown.duration_min,
    timezone: shown.timezone,
    all: shown.all,
    monitorIds: shown.monitor_ids,
    services: shown.services,
    agentIds: shown.agent_ids,
  };
}
