import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { deleteByName, upsertByName } from '../database/rows-by-name.js';
import { AlarmDefinitionEntity, HeartbeatAlarmEntity } from './alarm.entity.js';

/** Heartbeat alarms and the alarm definitions made through the API: the only place that touches their tables. */
@Injectable()
export class AlarmRepository {
  constructor(private readonly dataSource: DataSource) {}

  loadAlarms(): Promise<HeartbeatAlarmEntity[]> {
    return this.dataSource.getRepository(HeartbeatAlarmEntity).find();
  }

  loadDefinitions(): Promise<AlarmDefinitionEntity[]> {
    return this.dataSource.getRepository(AlarmDefinitionEntity).find({ order: { createdAt: 'ASC', name: 'ASC' } });
  }

  loadByNames(names: readonly string[]): Promise<HeartbeatAlarmEntity[]> {
    return names.length === 0 ? Promise.resolve([]) : this.dataSource.getRepository(HeartbeatAlarmEntity).findBy({ name: In([...names]) });
  }

  /**
   * One transaction: the changed alarms upserted, the deleted ones removed. `within` runs first in it and
   * may leave alarms out (several servers: those another server decides now) and tell the others.
   */
  async saveBatch(
    alarms: HeartbeatAlarmEntity[],
    deleted: string[],
    within?: (manager: EntityManager, alarms: HeartbeatAlarmEntity[]) => Promise<HeartbeatAlarmEntity[]>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const kept = within ? await within(manager, alarms) : alarms;
      await upsertByName(manager, HeartbeatAlarmEntity, kept);
      await deleteByName(manager, HeartbeatAlarmEntity, deleted);
    });
  }

  async insertDefinition(definition: AlarmDefinitionEntity): Promise<void> {
    await this.dataSource.getRepository(AlarmDefinitionEntity).insert(definition);
  }

  /** A definition's patterns and alerts replaced (its name and creation time kept). False when there is none. */
  async updateDefinition(
    name: string,
    fields: Pick<AlarmDefinitionEntity, 'pattern' | 'includes' | 'excludes' | 'alerts'>,
  ): Promise<boolean> {
    const result = await this.dataSource.getRepository(AlarmDefinitionEntity).update({ name }, fields);
    return (result.affected ?? 0) > 0;
  }

  async deleteDefinition(name: string): Promise<void> {
    await this.dataSource.getRepository(AlarmDefinitionEntity).delete({ name });
  }
}
