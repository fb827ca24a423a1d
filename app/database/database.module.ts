import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PULSE_LOGGER } from '../config/config.module.js';
import { ServerConfig } from '../config/config.schema.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { DatabaseFileError, databaseTarget, dataSourceOptions } from './data-source-options.js';
import { openDataSource } from './open-data-source.js';
import { ServerMetaRepository } from './server-meta.repository.js';
import { StorageHealth, storageHealthOf } from './storage-health.js';

/** The server's database: SQLite by default, PostgreSQL when configured; migrations run at start. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ServerConfig, PULSE_LOGGER],
          useFactory: (config: ServerConfig, logger: PulseLogger) => ({
            ...dataSourceOptions(databaseTarget(config), { logger, nativeCacheDir: config.native_cache_dir }),
            retryAttempts: 5,
            retryDelay: 2000,
            // Retrying cannot fix a damaged or unwritable file: say so at once.
            toRetry: (error: unknown) => !(error instanceof DatabaseFileError),
          }),
          dataSourceFactory: async (options) => openDataSource(options!),
        }),
      ],
      providers: [ServerMetaRepository, { provide: StorageHealth, inject: [DataSource], useFactory: storageHealthOf }],
      exports: [ServerMetaRepository, StorageHealth],
    };
  }
}
