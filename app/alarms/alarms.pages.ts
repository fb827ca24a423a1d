import { Body, HttpException, Param, Post, Query, Req } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiError } from '../http/api-error.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { redirect, view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { formErrorsOf, validateForm } from '../web/form-validation.js';
import { pagerView, queryString, queryText } from '../web/pager.js';
import { alarmFormOf, alarmInput, emptyAlarmForm, readAlarmForm, type AlarmFormValues } from './alarm-form.js';
import { CreateAlarmDto } from './alarm.dto.js';
import type { AlarmDefinitionView, AlarmView } from './alarm.views.js';
import { AlarmsQuery } from './alarms.query.js';
import { AlarmsService } from './alarms.service.js';
import { alertChannelChoicesOf, type AlertChannelChoices } from './alert-channel-choices.js';

const LIST_FRAGMENTS = { 'alarms-list': 'alarms/list', 'alarm-definitions': 'alarms/definitions' };
const ALARM_FRAGMENTS = { 'alarm-summary': 'alarms/summary', 'alarm-members': 'alarms/members' };
/** The form is the dialog's content for htmx, and a page of its own without JavaScript. */
const FORM_FRAGMENTS = { 'alarm-dialog-body': 'alarms/form', 'alarm-form': 'alarms/form' };

const PER_PAGE = 100;
/** Services an alarm's page lists (failing first); the rest are counted. */
const MEMBERS_SHOWN = 500;

interface AlarmListParams {
  q: string;
  page: number;
}

const listHref = (params: AlarmListParams) => `alarms${queryString({ q: params.q, page: params.page === 1 ? null : params.page })}`;

/** `alarms/alarm/<name>`, with the name encoded (alarm names may hold any character but space, / ? #). */
const alarmPath = (name: string) => `alarms/alarm/${encodeURIComponent(name)}`;
const definitionPath = (name: string) => `alarms/definition/${encodeURIComponent(name)}`;

/**
 * The Alarms page (SPEC §8): alarms with their state, incident number and failing services; an alarm's
 * members; the definitions (config-file ones read-only, API ones made, edited and deleted here, with the
 * service's errors next to their fields). Live through the event stream.
 */
@ConsoleController('alarms')
export class AlarmsPages {
  private channelChoices: AlertChannelChoices | null = null;

  constructor(
    private readonly alarms: AlarmsService,
    private readonly query: AlarmsQuery,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Page('', { title: 'Alarms', nav: { order: 300, group: 'Heartbeats' } })
  list(@Query() query: Record<string, unknown>) {
    return view('alarms/index', this.listData(readListParams(query)), { fragments: LIST_FRAGMENTS });
  }

  @Page('new', { title: 'New alarm' })
  async add() {
    return this.formView({ values: emptyAlarmForm(), errors: {}, editing: null });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>) {
    return this.save(null, readAlarmForm(body ?? {}));
  }

  @Page('alarm/:name', { title: 'Alarm' })
  alarm(@Param('name') name: string) {
    return view('alarms/show', this.alarmData(name), { fragments: ALARM_FRAGMENTS });
  }

  @Page('definition/:name/edit', { title: 'Edit alarm' })
  async edit(@Param('name') name: string) {
    const definition = this.definition(name);
    if (definition.source === 'config') return redirect('alarms');
    return this.formView({ values: alarmFormOf(definition), errors: {}, editing: name });
  }

  @Post('definition/:name')
  async update(@Param('name') name: string, @Body() body: Record<string, unknown>) {
    this.definition(name); // 404 before reading the form
    return this.save(name, { ...readAlarmForm(body ?? {}), name });
  }

  /** Deletes an API definition (with its alarms) or an alarm without services (Lovebeat's rule). */
  @Post('definition/:name/delete')
  async removeDefinition(@Req() request: ConsoleRequest, @Param('name') name: string) {
    await this.alarms.remove(name);
    if (!isHtmxRequest(request)) return redirect('alarms');
    return view('alarms/index', this.listData(readListParams({})), { fragment: 'alarms/definitions', oob: ['alarms/list'] });
  }

  @Post('alarm/:name/delete')
  async removeAlarm(@Param('name') name: string) {
    await this.alarms.remove(name);
    return redirect('alarms');
  }

  private async save(editing: string | null, values: AlarmFormValues) {
    const input = alarmInput(values);
    const checked = await validateForm(CreateAlarmDto, { ...input });
    if (!checked.ok) return this.formView({ values, errors: checked.errors, editing }, 422);
    try {
      if (editing === null) await this.alarms.create(checked.value);
      else await this.alarms.update(editing, checked.value);
    } catch (error) {
      if (error instanceof ValidationFailure) return this.formView({ values, errors: formErrorsOf(error), editing }, 422);
      // A name taken (by the file or the API) is the name field's problem.
      if (error instanceof HttpException && error.getStatus() === 409 && editing === null) {
        const message = (error.getResponse() as { message?: string }).message ?? 'That name is taken.';
        return this.formView({ values, errors: { name: message }, editing }, 422);
      }
      throw error;
    }
    return redirect('alarms');
  }

  private async formView(form: { values: AlarmFormValues; errors: Record<string, string>; editing: string | null }, status = 200) {
    const channels = await this.choices().list();
    const known = new Set(channels.map((channel) => channel.name));
    const data = {
      ...form,
      action: form.editing === null ? 'alarms' : definitionPath(form.editing),
      hasErrors: Object.keys(form.errors).length > 0,
      channels: [
        ...channels.map((channel) => ({ ...channel, checked: form.values.alerts.includes(channel.name) })),
        // Names the definition has that are no channel (any more): kept ticked, and said so.
        ...form.values.alerts.filter((name) => !known.has(name)).map((name) => ({ name, isDefault: false, checked: true, missing: true })),
      ],
      defaults: channels.filter((channel) => channel.isDefault).map((channel) => channel.name),
    };
    const title = form.editing === null ? 'New alarm' : `Edit ${form.editing}`;
    return view('alarms/form-page', { title, form: data }, { status, fragments: FORM_FRAGMENTS });
  }

  /** A page of alarms, those in error first, with the definitions below. */
  private listData(params: AlarmListParams) {
    const q = params.q || undefined;
    const page = this.query.list({ q, errorsFirst: true }, { page: params.page, perPage: PER_PAGE });
    const failing = this.query.list({ state: 'error', q }, { page: 1, perPage: 0 }).total;
    const total = page.total;
    const definitions = this.query.definitions();
    const madeBy = this.query.countByDefinition();
    return {
      title: 'Alarms',
      params,
      filtered: params.q !== '',
      // A search box once there is something to search (a page of alarms, or a search typed).
      showSearch: params.q !== '' || total > PER_PAGE,
      rows: page.items.map((alarm) => this.alarmRow(alarm, this.query.memberCount(alarm.name))),
      counts: { total, failing },
      pager: pagerView({ page: params.page, perPage: PER_PAGE, total }, (page) => listHref({ ...params, page })),
      listHref: listHref(params),
      definitions: definitions.map((definition) => ({
        ...definition,
        editHref: `${definitionPath(definition.name)}/edit`,
        deleteHref: `${definitionPath(definition.name)}/delete`,
        alarms: madeBy.get(definition.name) ?? 0,
        templated: definition.name.includes('$'),
      })),
      configCount: definitions.filter((definition) => definition.source === 'config').length,
    };
  }

  private alarmRow(alarm: AlarmView, members: number) {
    return {
      name: alarm.name,
      href: alarmPath(alarm.name),
      state: alarm.state,
      incident: alarm.incident_nbr,
      failed: alarm.failed_services,
      members,
      lastChange: alarm.last_state_change,
      definition: alarm.definition,
      fromTemplate: alarm.definition !== alarm.name,
      alerts: alarm.alerts,
    };
  }

  private alarmData(name: string) {
    const { alarm, services } = this.query.get(name);
    const definition = this.query.definitions().find((candidate) => candidate.name === alarm.definition) ?? null;
    const members = services.map((service) => ({
      name: service.name,
      href: `heartbeats/services/${encodeURIComponent(service.name)}`,
      state: service.state,
      since: service.last_state_change,
      lastBeat: service.last_beat >= 0 ? service.last_beat : null,
    }));
    members.sort((a, b) => Number(b.state === 'error') - Number(a.state === 'error') || (a.name < b.name ? -1 : 1));
    return {
      title: alarm.name,
      alarm: { ...this.alarmRow(alarm, services.length), selfHref: alarmPath(alarm.name), deleteHref: `${alarmPath(alarm.name)}/delete` },
      definition: definition && { ...definition, editHref: `${definitionPath(definition.name)}/edit` },
      members: members.slice(0, MEMBERS_SHOWN),
      moreMembers: Math.max(0, members.length - MEMBERS_SHOWN),
    };
  }

  private definition(name: string): AlarmDefinitionView {
    const definition = this.query.definitions().find((candidate) => candidate.name === name);
    if (!definition) throw ApiError.notFound(`There is no alarm definition "${name}".`);
    return definition;
  }

  private choices(): AlertChannelChoices {
    this.channelChoices ??= alertChannelChoicesOf(this.moduleRef);
    return this.channelChoices;
  }
}

function readListParams(query: Record<string, unknown>): AlarmListParams {
  const page = Number(queryText(query.page));
  return {
    q: (queryText(query.q) ?? '').trim().slice(0, 255),
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
  };
}
