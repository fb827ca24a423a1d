import { Injectable } from '@nestjs/common';
import { MonitorChoices, type MonitorChoice } from '../maintenance/monitor-choices.js';
import { MonitorRepository } from './monitor.repository.js';
import { MonitorRuntime } from './monitor-runtime.service.js';

/** The maintenance form's monitors: a name search in the database, names of chosen ones from memory. */
@Injectable()
export class MonitorChoicesProvider extends MonitorChoices {
  constructor(
    private readonly repository: MonitorRepository,
    private readonly runtime: MonitorRuntime,
  ) {
    super();
  }

  async search(text: string, limit: number): Promise<MonitorChoice[]> {
    const { monitors } = await this.repository.list({ q: text.trim() || undefined, page: 1, perPage: limit });
    return monitors.map((monitor) => ({ id: monitor.id, name: monitor.name, type: monitor.type }));
  }

  async byIds(ids: readonly number[]): Promise<MonitorChoice[]> {
    return ids.flatMap((id) => {
      const live = this.runtime.get(id);
      return live ? [{ id, name: live.monitor.name, type: live.monitor.type }] : [];
    });
  }
}
