import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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

  /** One transaction: the changed alarms upserted, the deleted ones removed. */
  async saveBatch(alarms: HeartbeatAlarmEntity[], deleted: string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await upsertByName(manager, HeartbeatAlarmEntity, alarms);
      await deleteByName(manager, HeartbeatAlarmEntity, deleted);
    });
  }

  async insertDefinition(definition: AlarmDefinitionEntity): Promise<void> {
    await this.dataSource.getRepository(AlarmDefinitionEntity).insert(definition);
  }

  async deleteDefinition(name: string): Promise<void> {
    await this.dataSource.getRepository(AlarmDefinitionEntity).delete({ name });
  }
}
