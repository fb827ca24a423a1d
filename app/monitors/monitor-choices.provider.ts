import { Injectable } from '@nestjs/common';
import { MonitorChoices, type MonitorChoice } from '../maintenance/monitor-choices.js';
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

  async search(text: string, limit: number): Promise<MonitorChoice[]> {
    const { items } = await this.query.list({ q: text.trim() || undefined }, { page: 1, perPage: limit });
    return items.map((monitor) => ({ id: monitor.id, name: monitor.name, type: monitor.type }));
  }

  async byIds(ids: readonly number[]): Promise<MonitorChoice[]> {
    return ids.flatMap((id) => {
      const live = this.runtime.get(id);
      return live ? [{ id, name: live.monitor.name, type: live.monitor.type }] : [];
    });
  }
}
