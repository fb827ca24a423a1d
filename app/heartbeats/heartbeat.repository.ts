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

/**
 * Multi-row `INSERT … ON CONFLICT ("name") DO UPDATE`, written out directly: on the save path TypeORM's
 * query builder cost more CPU than the database itself (it is the same statement it would build).
 */
async function upsertChunks<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(entity);
  const columns = metadata.columns.map((column) => ({ property: column.propertyName, name: `"${column.databaseName}"` }));
  const postgres = manager.connection.options.type === 'postgres';
  const head = `INSERT INTO "${metadata.tableName}" (${columns.map((column) => column.name).join(', ')}) VALUES `;
  const tail = ` ON CONFLICT ("name") DO UPDATE SET ${columns
    .filter((column) => column.name !== '"name"')
    .map((column) => `${column.name} = excluded.${column.name}`)
    .join(', ')}`;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const parameters: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = columns.map((column) => {
        parameters.push(row[column.property]);
        return postgres ? `$${parameters.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    await manager.query(head + tuples.join(', ') + tail, parameters);
  }
}

async function deleteChunks<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, names: string[]): Promise<void> {
  for (let start = 0; start < names.length; start += CHUNK) {
    await manager.getRepository(entity).delete({ name: In(names.slice(start, start + CHUNK)) } as never);
  }
}
