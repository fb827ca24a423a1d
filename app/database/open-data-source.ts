import { DataSource, type DataSourceOptions } from 'typeorm';
import { sqliteFileError } from './data-source-options.js';
import { installGuardedQueryRunners } from './guarded-query-runners.js';

/** Any constant shared by every Pulse server: the key of the PostgreSQL advisory lock around migrations. */
const MIGRATION_LOCK_KEY = 0x50554c5345; // "PULSE"

/**
 * Initialises the data source and brings the schema up to date. TypeORM does not lock its migrations, so
 * several servers starting together on one PostgreSQL would race to create the same tables; they take
 * turns under an advisory lock instead. (SQLite is single-server; its migrations run as they are.)
 */
export async function openDataSource(options: DataSourceOptions, runMigrations = true): Promise<DataSource> {
  try {
    return await open(options, runMigrations);
  } catch (error) {
    // SQLite's own words ("unable to open database file") name neither the file nor the reason.
    if (options.type === 'better-sqlite3') throw sqliteFileError(options.database, error) ?? error;
    throw error;
  }
}

async function open(options: DataSourceOptions, runMigrations: boolean): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, migrationsRun: false } as DataSourceOptions);
  installGuardedQueryRunners(dataSource);
  await dataSource.initialize();
  if (!runMigrations) return dataSource;
  try {
    if (dataSource.options.type !== 'postgres') {
      await dataSource.runMigrations({ transaction: 'each' });
      return dataSource;
    }
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await runner.release();
    }
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
