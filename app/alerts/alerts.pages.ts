import { Body, Get, Param, Post, Query, Req } from '@nestjs/common';
import type { FormSubmission } from '../plugin-host/form-codec.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { redirect, view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { formErrorsOf } from '../web/form-validation.js';
import { LiveHub } from '../web/live-hub.js';
import { queryString, queryText } from '../web/pager.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from './alert-delivery.entity.js';
import './alert.events.js';
import { AlertsQuery } from './alerts.query.js';
import { AlertsService } from './alerts.service.js';
import {
  channelFormView,
  newChannelForm,
  readChannelForm,
  storedChannelForm,
  type AlerterChoice,
  type ChannelFormState,
} from './channel-form.js';
import { deliveryRow, targetSummary } from './delivery-rows.view.js';

const LIST_FRAGMENTS = { 'alert-channels': 'alerts/channels', 'delivery-log': 'alerts/delivery-log' };
/** The form is the dialog's content for htmx, and a page of its own without JavaScript. */
const FORM_FRAGMENTS = { 'channel-dialog-body': 'alerts/channel-form', 'channel-form': 'alerts/channel-form' };
const LOG_PAGE = 50;

interface LogParams {
  channel: string;
  status: DeliveryStatus | '';
  before: number | null;
}

const channelPath = (name: string) => `alerts/channels/${encodeURIComponent(name)}`;

/**
 * The Alerts page (SPEC §8): channels with their plugin forms (rendered from each alerter's form
 * description; config-file channels read-only), a test send with its outcome, and the delivery log
 * (newest first, each delivery's attempts and errors, filtered by channel and status), live.
 */
@ConsoleController('alerts')
export class AlertsPages {
  constructor(
    private readonly alerts: AlertsService,
    private readonly query: AlertsQuery,
    private readonly plugins: PluginRegistry,
    live: LiveHub,
  ) {
    live.forward('alert.delivery-changed', 'deliveries', (event) => event.id ?? undefined);
  }

  @Page('', { title: 'Alerts', nav: { order: 600, group: 'Alerting' } })
  async list(@Query() query: Record<string, unknown>) {
    return view('alerts/index', await this.pageData(readLogParams(query)), { fragments: LIST_FRAGMENTS });
  }

  @Page('channels/new', { title: 'New alert channel' })
  add(@Query('type') type?: string) {
    const alerter = this.alerter(type) ?? this.alerterChoices()[0];
    if (!alerter) return redirect('alerts');
    return this.formView(newChannelForm(alerter));
  }

  /** The alerter's own fields, when the type select changes. */
  @Get('channels/form-fields')
  formFields(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>) {
    const alerter = this.alerter(queryText(query.type)) ?? this.alerterChoices()[0]!;
    if (!isHtmxRequest(request)) return redirect(`alerts/channels/new?type=${encodeURIComponent(alerter.id)}`);
    const form = channelFormView(newChannelForm(alerter), this.alerterChoices());
    return view('alerts/channel-form-page', { form }, { fragment: { partial: 'alerts/alerter-fields', data: form } });
  }

  @Post('channels')
  async create(@Body() body: FormSubmission) {
    const { state, input } = readChannelForm(body ?? {}, this.alerter(queryText(body?.type)), null);
    return this.save(state, () => this.alerts.create(input));
  }

  @Page('channels/:name/edit', { title: 'Edit alert channel' })
  async edit(@Param('name') name: string) {
    const channel = await this.query.get(name);
    if (channel.source === 'config') return redirect('alerts');
    const alerter = this.alerter(channel.targets[0]?.type);
    if (!alerter) return redirect('alerts');
    return this.formView(storedChannelForm(channel, alerter));
  }

  @Post('channels/:name')
  async update(@Param('name') name: string, @Body() body: FormSubmission) {
    await this.query.get(name); // 404 before reading the form
    const { state, input } = readChannelForm(body ?? {}, this.alerter(queryText(body?.type)), name);
    return this.save(state, () => this.alerts.update(name, input));
  }

  @Post('channels/:name/delete')
  async remove(@Req() request: ConsoleRequest, @Param('name') name: string) {
    await this.alerts.remove(name);
    if (!isHtmxRequest(request)) return redirect('alerts');
    return view('alerts/index', await this.pageData(readLogParams({})), { fragment: 'alerts/channels' });
  }

  /** Sends a test message through the channel and shows how it went (waits up to 15 s for the outcome). */
  @Post('channels/:name/test')
  async test(@Req() request: ConsoleRequest, @Param('name') name: string) {
    const { deliveries } = await this.alerts.test(name);
    const test = { channel: name, deliveries: deliveries.map((delivery) => deliveryRow(delivery, this.alerterTitle(delivery.type))) };
    if (!isHtmxRequest(request))
      return view('alerts/index', { ...(await this.pageData(readLogParams({}))), test }, { fragments: LIST_FRAGMENTS });
    return view('alerts/index', { test }, { fragment: 'alerts/test-result' });
  }

  private async save(state: ChannelFormState, write: () => Promise<unknown>) {
    try {
      await write();
    } catch (error) {
      if (error instanceof ValidationFailure) return this.formView({ ...state, errors: formErrorsOf(error) }, 422);
      throw error;
    }
    return redirect('alerts');
  }

  private formView(state: ChannelFormState, status = 200) {
    const form = channelFormView(state, this.alerterChoices());
    const title = state.editing === null ? 'New alert channel' : `Edit ${state.editing}`;
    return view('alerts/channel-form-page', { title, form }, { status, fragments: FORM_FRAGMENTS });
  }

  private async pageData(params: LogParams) {
    const { items: channels } = await this.query.list({}, { page: 1, perPage: null });
    const filter = { channel: params.channel || undefined, status: params.status || undefined, beforeId: params.before ?? undefined };
    const { items: shown, total } = await this.query.deliveryLog(filter, { page: 1, perPage: LOG_PAGE });
    const logHref = (before: number | null) => `alerts${queryString({ channel: params.channel, status: params.status, before })}`;
    return {
      title: 'Alerts',
      channels: channels.map((channel) => ({
        ...channel,
        href: channelPath(channel.name),
        targets: channel.targets.map((target) => ({
          ...target,
          title: this.alerterTitle(target.type),
          summary: targetSummary(target.settings),
        })),
      })),
      canCreate: this.alerterChoices().length > 0,
      log: {
        params,
        href: logHref(params.before),
        rows: shown.map((delivery) => deliveryRow(delivery, this.alerterTitle(delivery.type))),
        older: total > LOG_PAGE ? logHref(shown[shown.length - 1]!.id) : null,
        newest: params.before !== null ? logHref(null) : null,
        filtered: params.channel !== '' || params.status !== '',
        channelOptions: channels.map((channel) => ({ value: channel.name, selected: channel.name === params.channel })),
        statusOptions: DELIVERY_STATUSES.map((status) => ({ value: status, selected: status === params.status })),
      },
    };
  }

  private alerterChoices(): AlerterChoice[] {
    return this.plugins
      .alerters()
      .map((alerter) => ({ id: alerter.id, title: alerter.meta.title, form: alerter.meta.form }))
      .sort((a, b) => a.title.localeCompare(b.title));
  }

  private alerter(id: string | undefined): AlerterChoice | undefined {
    return id ? this.alerterChoices().find((alerter) => alerter.id === id) : undefined;
  }

  private alerterTitle(id: string): string {
    return this.plugins.alerter(id)?.meta.title ?? id;
  }
}

function readLogParams(query: Record<string, unknown>): LogParams {
  const status = queryText(query.status) ?? '';
  const before = Number(queryText(query.before));
  return {
    channel: (queryText(query.channel) ?? '').trim().slice(0, 100),
    status: (DELIVERY_STATUSES as readonly string[]).includes(status) ? (status as DeliveryStatus) : '',
    before: Number.isSafeInteger(before) && before > 0 ? before : null,
  };
}
