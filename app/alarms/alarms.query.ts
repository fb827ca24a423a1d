import { Injectable } from '@nestjs/common';
import type { StatusCounts } from '../heartbeats/heartbeat.views.js';
import type { ServiceView } from '../heartbeats/heartbeat.views.js';
import { ServicesQuery } from '../heartbeats/services.query.js';
import { ApiError } from '../http/api-error.js';
import { pageOffset, type Page, type PageRequest } from '../http/paging.js';
import type { AlarmSnapshot, AlarmState } from './alarm-book.js';
import { AlarmEngine } from './alarm-engine.js';
import { alarmView, type AlarmDefinitionView, type AlarmView } from './alarm.views.js';

export interface AlarmFilter {
  state?: AlarmState;
  /** Text the name contains, any case. */
  q?: string;
  /** Alarms in error before the others, each part in name order (the console's list). */
  errorsFirst?: boolean;
}

/** One alarm with its services, as `GET /api/alarms/<name>` and the console's alarm page show it. */
export interface AlarmDetail {
  alarm: AlarmView;
  /** Its services, in the order they joined. */
  services: ServiceView[];
}

/**
 * The heartbeat alarms as the API and the console read them: filtered, paged view models in name order.
 * The order is worked out again only when an alarm was made or deleted since the last read.
 */
@Injectable()
export class AlarmsQuery {
  private ordered: string[] = [];
  private orderedAt = -1;

  constructor(
    private readonly engine: AlarmEngine,
    private readonly services: ServicesQuery,
  ) {}

  list(filter: AlarmFilter, request: PageRequest): Page<AlarmView> {
    const text = filter.q?.trim().toLowerCase();
    const start = pageOffset(request);
    const end = request.perPage === null ? Infinity : start + request.perPage;
    const items: AlarmView[] = [];
    let total = 0;
    // One walk of the name order per state asked for: errors, then the rest, when errors come first.
    const passes: (AlarmState | undefined)[] = filter.errorsFirst && !filter.state ? ['error', 'ok'] : [filter.state];
    for (const state of passes) {
      for (const name of this.names()) {
        const alarm = this.engine.get(name)!;
        if ((state && alarm.state !== state) || (text && !name.toLowerCase().includes(text))) continue;
        if (total >= start && total < end) items.push(alarmView(alarm));
        total++;
      }
    }
    return { items, page: request.page, perPage: request.perPage, total };
  }

  /** The definitions, `[[alarms]]` first, then those made through the API. */
  definitions(): AlarmDefinitionView[] {
    return this.engine.definitions.map((definition) => ({ ...definition }));
  }

  /** 404 when there is no alarm of that name. */
  get(name: string): AlarmDetail {
    const alarm = this.existing(name);
    return { alarm: alarmView(alarm), services: this.services.views(alarm.members) };
  }

  /** How many services an alarm has now (0 when there is no such alarm). */
  memberCount(name: string): number {
    return this.engine.get(name)?.members.size ?? 0;
  }

  /** How many alarms each definition has made (a `$var` definition makes one per value). */
  countByDefinition(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const alarm of this.engine.all.values()) counts.set(alarm.definition.name, (counts.get(alarm.definition.name) ?? 0) + 1);
    return counts;
  }

  /** Lovebeat's /api/alarms/<name>/status counts. */
  status(name: string): StatusCounts {
    const alarm = this.existing(name);
    return { num_ok: alarm.members.size - alarm.failed.size, num_error: alarm.failed.size };
  }

  /** Every alarm's name and state, in no order (for `[metrics]` gauges). */
  *states(): IterableIterator<{ name: string; state: AlarmState }> {
    for (const alarm of this.engine.all.values()) yield { name: alarm.name, state: alarm.state };
  }

  private names(): readonly string[] {
    if (this.orderedAt !== this.engine.version) {
      this.ordered = [...this.engine.all.keys()].sort((a, b) => (a < b ? -1 : 1));
      this.orderedAt = this.engine.version;
    }
    return this.ordered;
  }

  private existing(name: string): AlarmSnapshot {
    const alarm = this.engine.get(name);
    if (!alarm) throw ApiError.notFound(`There is no alarm "${name}". GET /api/alarms lists them.`);
    return alarm;
  }
}
