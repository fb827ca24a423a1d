import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager, type ObjectLiteral } from 'typeorm';
import { AlarmDefinitionEntity, HeartbeatAlarmEntity } from '../alarms/alarm.entity.js';
import { HeartbeatServiceEntity } from './heartbeat-service.entity.js';

export interface HeartbeatBatch {
  services: HeartbeatServiceEntity[];
  deletedServices: string[];
  alarms: HeartbeatAlarmEntity[];
  deletedAlarms: string[];
}

/** Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 200;

/** Heartbeat services, alarms and API alarm definitions: the only place that touches their tables. */
@Injectable()
export class HeartbeatRepository {
  constructor(private readonly dataSource: DataSource) {}

  loadServices(): Promise<HeartbeatServiceEntity[]> {
    return this.dataSource.getRepository(HeartbeatServiceEntity).find();
  }

  loadAlarms(): Promise<HeartbeatAlarmEntity[]> {
    return this.dataSource.getRepository(HeartbeatAlarmEntity).find();
  }

  loadDefinitions(): Promise<AlarmDefinitionEntity[]> {
    return this.dataSource.getRepository(AlarmDefinitionEntity).find({ order: { createdAt: 'ASC', name: 'ASC' } });
  }

  /** One transaction: the changed rows upserted, the deleted ones removed. */
  async saveBatch(batch: HeartbeatBatch): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await upsertChunks(manager, HeartbeatServiceEntity, batch.services);
      await deleteChunks(manager, HeartbeatServiceEntity, batch.deletedServices);
      await upsertChunks(manager, HeartbeatAlarmEntity, batch.alarms);
      await deleteChunks(manager, HeartbeatAlarmEntity, batch.deletedAlarms);
    });
  }

  async insertDefinition(definition: AlarmDefinitionEntity): Promise<void> {
    await this.dataSource.getRepository(AlarmDefinitionEntity).insert(definition);
  }

  async deleteDefinition(name: string): Promise<void> {
    await this.dataSource.getRepository(AlarmDefinitionEntity).delete({ name });
  }
}

async function upsertChunks<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, rows: T[]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    await manager.getRepository(entity).upsert(rows.slice(start, start + CHUNK) as never, ['name']);
  }
}

async function deleteChunks<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, names: string[]): Promise<void> {
  for (let start = 0; start < names.length; start += CHUNK) {
    await manager.getRepository(entity).delete({ name: In(names.slice(start, start + CHUNK)) } as never);
  }
}
