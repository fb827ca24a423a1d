import { Body, Get, Post, Query } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { MonitorOverview, type MonitorRow } from '../monitors/monitor-overview.query.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { redirect, view } from '../web/console-results.js';
import { formErrorsOf, formText, validateForm } from '../web/form-validation.js';
import { LiveHub } from '../web/live-hub.js';
import { UpdatePollerDto } from './poller.dto.js';
import type { PollerView } from './poller.views.js';
import { PollersQuery } from './pollers.query.js';
import { PollersService } from './pollers.service.js';

const LIST_FRAGMENTS = { 'pollers-list': 'pollers/list' };
const PAGE_FRAGMENTS = { 'poller-summary': 'pollers/summary', 'poller-form': 'pollers/form' };
/** Pollers on one page of the list: a handful in practice; the search narrows a long list. */
const LIST_SIZE = 100;
/** Monitors the picker lists besides the ticked ones. */
const PICKER_MATCHES = 25;

interface PollerFormValues {
  name: string;
  location: string;
  monitorIds: number[];
  search: string;
}

/**
 * The Pollers page (SPEC §8): every poller with its state, version, when it was last heard from, its
 * outbox as it reported it and how many monitors it checks; a poller's page to rename it, set its
 * location, pick the monitors it checks (searched on the server) and delete it. Live through the
 * `pollers` topic (a poller judged, registered, edited, deleted, or its last-seen time written).
 */
@ConsoleController('pollers')
export class PollersPages {
  constructor(
    private readonly query: PollersQuery,
    private readonly pollers: PollersService,
    private readonly overview: MonitorOverview,
    private readonly plugins: PluginRegistry,
    live: LiveHub,
  ) {
    live.forward('poller.changed', 'pollers', (event) => event.pollerId);
    live.forward('poller.state-changed', 'pollers', (event) => event.pollerId);
  }

  @Page('', { title: 'Pollers', nav: { order: 500, group: 'Infrastructure' } })
  async list(@Query() query: Record<string, unknown>) {
    const q = (formText(query.q) ?? '').slice(0, 200);
    const page = await this.query.list({ q }, { page: 1, perPage: LIST_SIZE });
    const rows = page.items.map((poller) => this.row(poller));
    return view(
      'pollers/index',
      {
        title: 'Pollers',
        q,
        rows,
        total: page.total,
        more: page.total > rows.length,
        online: rows.filter((row) => row.state === 'online').length,
        listHref: q ? `pollers?q=${encodeURIComponent(q)}` : 'pollers',
      },
      { fragments: LIST_FRAGMENTS },
    );
  }

  /** The monitor picker's options as its search box asks: the ticked ones first, then those matching. */
  @Get(':id/monitor-choices')
  async monitorChoices(@IdParam() id: number, @Query() query: Record<string, unknown>) {
    this.query.get(id); // 404 for a poller that is gone
    const picker = await this.picker(id, idsOf(query.monitor_ids), formText(query.monitor_search) ?? '');
    return view('pollers/show', {}, { fragment: { partial: 'pollers/picker-options', data: { picker } } });
  }

  /** Without JavaScript, deleting asks on a page of its own (with it, the button asks in a dialog). */
  @Page(':id/delete', { title: 'Delete poller' })
  confirmDelete(@IdParam() id: number) {
    const poller = this.query.get(id);
    return view('pollers/delete', { title: `Delete ${poller.name}`, poller });
  }

  @Post(':id/delete')
  async remove(@IdParam() id: number) {
    await this.pollers.remove(id);
    return redirect('pollers');
  }

  @Page(':id', { title: 'Poller' })
  async show(@IdParam() id: number) {
    const poller = this.query.get(id);
    return this.pageView(poller, { name: poller.name, location: poller.location, monitorIds: poller.monitor_ids, search: '' }, {});
  }

  /** Name, location and the monitors it checks, in one form; refused fields come back next to their inputs (422). */
  @Post(':id')
  async update(@IdParam() id: number, @Body() body: Record<string, unknown>) {
    const poller = this.query.get(id);
    const values: PollerFormValues = {
      name: formText(body?.name) ?? '',
      location: formText(body?.location) ?? '',
      monitorIds: idsOf(body?.monitor_ids),
      search: formText(body?.monitor_search) ?? '',
    };
    const refused = (errors: Record<string, string>) => this.pageView(poller, values, errors, 422);
    const badIds = listOf(body?.monitor_ids).filter((text) => !/^[1-9]\d{0,9}$/.test(text));
    const checked = await validateForm(UpdatePollerDto, { name: values.name, location: values.location });
    if (!checked.ok || badIds.length > 0)
      return refused({
        ...(checked.ok ? {} : checked.errors),
        ...(badIds.length > 0 ? { monitor_ids: 'Must be a list of monitor ids.' } : {}),
      });
    try {
      await this.pollers.update(id, checked.value);
      await this.pollers.assign(id, values.monitorIds);
    } catch (error) {
      if (error instanceof ValidationFailure) return refused(formErrorsOf(error));
      throw error;
    }
    return redirect(`pollers/${id}`);
  }

  private async pageView(poller: ReturnType<PollersQuery['get']>, values: PollerFormValues, errors: Record<string, string>, status = 200) {
    const picker = await this.picker(poller.id, values.monitorIds, values.search);
    return view(
      'pollers/show',
      {
        title: poller.name,
        poller: this.row(poller),
        form: { id: poller.id, values, errors, hasErrors: Object.keys(errors).length > 0, picker },
      },
      { status, fragments: PAGE_FRAGMENTS },
    );
  }

  private row(poller: PollerView) {
    const lastSeen = poller.last_seen_at ? Date.parse(poller.last_seen_at) : null;
    return {
      ...poller,
      // Registered but never heard from since (a row written by hand, or a registration the server lost).
      state: lastSeen === null ? 'never' : poller.state,
      lastSeen,
      changedAt: poller.state_changed_at ? Date.parse(poller.state_changed_at) : null,
      registeredAt: poller.registered_at ? Date.parse(poller.registered_at) : null,
      outboxReportedAt: poller.outbox.reported_at ? Date.parse(poller.outbox.reported_at) : null,
    };
  }

  private async picker(pollerId: number, chosenIds: readonly number[], search: string) {
    const chosen = [...new Set(chosenIds)].map((id) => ({ id, row: this.overview.row(id) }));
    const chosenSet = new Set(chosenIds);
    const found = await this.overview.list(
      { q: search.slice(0, 200) || undefined },
      { key: 'name', descending: false },
      { page: 1, perPage: PICKER_MATCHES + chosenSet.size },
    );
    const matches = found.items.filter((row) => !chosenSet.has(row.id)).slice(0, PICKER_MATCHES);
    const option = (row: MonitorRow, checked: boolean) => ({
      id: row.id,
      name: row.name,
      tag: this.plugins.check(row.type)?.meta.title ?? row.type,
      target: row.target,
      checked,
    });
    return {
      pollerId,
      search,
      options: [...chosen.flatMap(({ row }) => (row ? [option(row, true)] : [])), ...matches.map((row) => option(row, false))],
      missing: chosen.filter(({ row }) => row === null).map(({ id }) => id),
      more: found.total - chosen.length > PICKER_MATCHES,
      chosenCount: chosen.length,
    };
  }
}

/** A form's repeated field as a list of texts. */
function listOf(value: unknown): string[] {
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim());
}

/** The positive whole numbers of a repeated field (the rest is refused by the caller). */
function idsOf(value: unknown): number[] {
  return [
    ...new Set(
      listOf(value)
        .filter((text) => /^[1-9]\d{0,9}$/.test(text))
        .map(Number),
    ),
  ];
}
