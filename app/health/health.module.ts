import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeStorageFailure, storageFailureOf } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { HealthController } from './health.controller.js';
import { ReadinessService } from './readiness.service.js';

@Global()
@Module({ controllers: [HealthController], providers: [ReadinessService], exports: [ReadinessService] })
export class HealthModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly dataSource: DataSource,
    private readonly storage: StorageHealth,
  ) {}

  onModuleInit(): void {
    // The database answers, and takes writes (while writes fail, each check tries a small one).
    this.readiness.register('database', async () => {
      try {
        await this.dataSource.query('SELECT 1');
      } catch (error) {
        const failure = storageFailureOf(error);
        return failure ? describeStorageFailure(failure.kind) : 'the database does not answer (the server log says why)';
      }
      return (await this.storage.probe()) ?? true;
    });
  }
}
