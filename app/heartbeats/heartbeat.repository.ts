import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { deleteByName, upsertByName } from '../database/rows-by-name.js';
import { HeartbeatServiceEntity } from './heartbeat-service.entity.js';

/** Heartbeat services: the only place that touches their table. */
@Injectable()
export class HeartbeatRepository {
  constructor(private readonly dataSource: DataSource) {}

  loadServices(): Promise<HeartbeatServiceEntity[]> {
    return this.dataSource.getRepository(HeartbeatServiceEntity).find();
  }

  /** One transaction: the changed rows upserted, the deleted ones removed. */
  async saveBatch(services: HeartbeatServiceEntity[], deleted: string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await upsertByName(manager, HeartbeatServiceEntity, services);
      await deleteByName(manager, HeartbeatServiceEntity, deleted);
    });
  }
}
