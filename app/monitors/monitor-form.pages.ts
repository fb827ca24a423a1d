import { Body, Get, Optional, Post, Query, Req } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { redirect, view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { formErrorsOf, formText, validateForm } from '../web/form-validation.js';
import { orderCheckTypes } from '../web/sidebar.js';
import { AlertChannelLookup } from './alert-channel-lookup.js';
import { MonitorBodyDto } from './monitor.dto.js';
import { PollerChoices } from './poller-choices.js';
import {
  monitorFormView,
  newMonitorForm,
  readMonitorForm,
  storedMonitorForm,
  type CheckTypeChoice,
  type MonitorFormState,
} from './monitor-form.js';
import { MonitorOverview } from './monitor-overview.query.js';
import { monitorRowsView } from './monitor-rows.view.js';
import { MonitorService } from './monitor.service.js';
import { MonitorsQuery } from './monitors.query.js';

/** The Add/Edit form is the dialog's content for htmx, and a page of its own without JavaScript. */
const FORM_FRAGMENTS = { 'monitor-dialog-body': 'monitors/form', 'monitor-form': 'monitors/form' };

/**
 * Adding, editing, pausing, resuming and deleting monitors from the console (SPEC §8): the Add/Edit form
 * with the check type's own fields rendered from its plugin's form description and decoded with it, the
 * API's validation messages next to their fields.
 */
@ConsoleController('monitors')
export class MonitorFormPages {
  constructor(
    private readonly monitors: MonitorService,
    private readonly query: MonitorsQuery,
    private readonly overview: MonitorOverview,
    private readonly plugins: PluginRegistry,
    private readonly alertChannels: AlertChannelLookup,
    @Optional() private readonly pollerChoices?: PollerChoices,
  ) {}

  @Page('new', { title: 'Add monitor' })
  async add(@Query('type') type?: string) {
    const chosen = this.checkType(type) ?? this.checkTypes()[0]!;
    return this.formView(newMonitorForm(chosen));
  }

  /** The type-dependent part of the form (target and the type's own fields), when the type select changes. */
  @Get('form-fields')
  async typeFields(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>) {
    const type = this.checkType(formText(query.type)) ?? this.checkTypes()[0]!;
    if (!isHtmxRequest(request)) return redirect(`monitors/new?type=${encodeURIComponent(type.id)}`);
    const id = Number(formText(query.id));
    let state = newMonitorForm(type, { target: formText(query.target) ?? '' });
    if (Number.isSafeInteger(id) && id > 0) {
      const stored = await this.query.get(id);
      if (stored.type === type.id)
        state = { ...storedMonitorForm(stored, type), values: { ...storedMonitorForm(stored, type).values, target: state.values.target } };
      else state = { ...state, id };
    }
    const form = await this.context(state);
    return view('monitors/form-page', { form }, { fragment: { partial: 'monitors/type-fields', data: form } });
  }

  @Post()
  async create(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>) {
    const { state, input } = readMonitorForm(body ?? {}, this.checkType(formText(body?.type)), null);
    const checked = await validateForm(MonitorBodyDto, { ...input });
    if (!checked.ok) return this.refused(state, checked.errors);
    try {
      const created = await this.monitors.create(checked.value);
      return redirect(`monitors/${created.id}`);
    } catch (error) {
      if (error instanceof ValidationFailure) return this.refused(state, formErrorsOf(error));
      throw error;
    }
  }

  @Page(':id/edit', { title: 'Edit monitor' })
  async edit(@IdParam() id: number) {
    const stored = await this.query.get(id);
    const type = this.checkType(stored.type);
    if (!type) return this.formView({ ...newMonitorForm(this.checkTypes()[0]!), id });
    return this.formView(storedMonitorForm(stored, type));
  }

  @Post(':id')
  async update(@Req() request: ConsoleRequest, @IdParam() id: number, @Body() body: Record<string, unknown>) {
    await this.query.get(id); // 404 before reading the form
    const { state, input } = readMonitorForm(body ?? {}, this.checkType(formText(body?.type)), id);
    const checked = await validateForm(MonitorBodyDto, { ...input });
    if (!checked.ok) return this.refused(state, checked.errors);
    try {
      await this.monitors.update(id, checked.value);
      return redirect(`monitors/${id}`);
    } catch (error) {
      if (error instanceof ValidationFailure) return this.refused(state, formErrorsOf(error));
      throw error;
    }
  }

  @Post(':id/pause')
  async pause(@Req() request: ConsoleRequest, @IdParam() id: number, @Body() body: Record<string, unknown>) {
    await this.monitors.pause(id);
    return this.afterStateChange(request, id, body);
  }

  @Post(':id/resume')
  async resume(@Req() request: ConsoleRequest, @IdParam() id: number, @Body() body: Record<string, unknown>) {
    await this.monitors.resume(id);
    return this.afterStateChange(request, id, body);
  }

  /** Without JavaScript, deleting asks on a page of its own (with it, the button asks in a dialog). */
  @Page(':id/delete', { title: 'Delete monitor' })
  async confirmDelete(@IdParam() id: number) {
    const monitor = await this.query.get(id);
    return view('monitors/delete', { title: `Delete ${monitor.name}`, monitor });
  }

  @Post(':id/delete')
  async remove(@IdParam() id: number) {
    await this.monitors.remove(id);
    return redirect('monitors');
  }

  /** Pause and resume answer with what the button was in: a list row, the monitor page's summary, or a redirect. */
  private async afterStateChange(request: ConsoleRequest, id: number, body: Record<string, unknown>) {
    const target = request.headers['hx-target'];
    if (isHtmxRequest(request) && target === `monitor-row-${id}`) {
      const row = this.overview.row(id);
      if (row) {
        const [shown] = await monitorRowsView([row], this.overview, (type) => this.plugins.check(type)?.meta.title ?? type);
        return view('monitors/index', {}, { fragment: { partial: 'monitors/row', data: { ...shown, from: formText(body?.from) ?? '' } } });
      }
    }
    if (isHtmxRequest(request)) return redirect(`monitors/${id}`);
    return redirect(formText(body?.from) === 'list' ? 'monitors' : `monitors/${id}`);
  }

  private refused(state: MonitorFormState, errors: Record<string, string>) {
    return this.formView({ ...state, errors }, 422);
  }

  private async formView(state: MonitorFormState, status = 200) {
    const form = await this.context(state);
    return view(
      'monitors/form-page',
      { title: form.editing ? `Edit ${state.values.name || 'monitor'}` : 'Add monitor', form },
      { status, fragments: FORM_FRAGMENTS },
    );
  }

  private async context(state: MonitorFormState) {
    const alerts = await this.alertChannels.choices();
    const pollers = this.pollerChoices?.choices(state.values.pollers.filter((id): id is number => typeof id === 'number')) ?? [];
    return monitorFormView(state, { types: this.checkTypes(), alerts, pollers });
  }

  private checkTypes(): CheckTypeChoice[] {
    const checks = new Map(this.plugins.checks().map((check) => [check.id, check]));
    return orderCheckTypes([...checks.values()].map((check) => ({ id: check.id, title: check.meta.title }))).map((type) => {
      const check = checks.get(type.id)!;
      return { id: check.id, title: check.meta.title, target: check.meta.target, form: check.meta.form };
    });
  }

  private checkType(id: string | undefined): CheckTypeChoice | undefined {
    return id ? this.checkTypes().find((type) => type.id === id) : undefined;
  }
}
