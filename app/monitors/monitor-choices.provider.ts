import { Injectable } from '@nestjs/common';
import { MonitorChoices, type ScopeChoice } from '../maintenance/scope-choices.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import { MonitorsQuery } from './monitors.query.js';

/** The maintenance form's monitors: a name search through the MonitorsQuery, names of chosen ones from the live views. */
@Injectable()
export class MonitorChoicesProvider extends MonitorChoices {
  constructor(
    private readonly query: MonitorsQuery,
    private readonly runtime: MonitorRuntime,
  ) {
    super();
  }

  async search(text: string, limit: number): Promise<ScopeChoice[]> {
    const { items } = await this.query.list({ q: text.trim() || undefined }, { page: 1, perPage: limit });
    return items.map((monitor) => ({ id: monitor.id, name: monitor.name, tag: monitor.type }));
  }

  async byIds(ids: readonly number[]): Promise<ScopeChoice[]> {
    return ids.flatMap((id) => {
      const live = this.runtime.get(id);
      return live ? [{ id, name: live.monitor.name, tag: live.monitor.type }] : [];
    });
  }
}
