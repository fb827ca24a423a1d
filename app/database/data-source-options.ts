import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { ServerConfig } from '../config/config.schema.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { loadEmbeddedAddon } from '../runtime/native-addon.js';
import { ENTITIES } from './entities.js';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations/index.js';
import { TypeOrmLogger } from './typeorm-logger.js';
import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** PostgreSQL when `[database] url` (or PULSE_DATABASE_URL) is set, else SQLite in the data directory. */
export function databaseTarget(config: ServerConfig): DatabaseTarget {
  if (config.database.url !== '') return { kind: 'postgres', url: config.database.url };
  return { kind: 'sqlite', file: path.resolve(config.data_dir, config.database.filename) };
}

/** What the target looks like in a log line: never the password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite ${target.file}`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/** The configured database file is not one Pulse can use: refused at start (exit 78). */
export class DatabaseFileError extends StartupError {
  override name = 'DatabaseFileError';
  constructor(message: string) {
    super(message, { exitCode: EXIT_CONFIG });
  }
}

const SQLITE_HEADER = 'SQLite format 3\0';

/** A Lovebeat database (or any other file) at the configured path must not be mistaken for ours. */
export function assertSqliteFileUsable(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new DatabaseFileError(
      `${file} exists but is not a SQLite database (a Lovebeat database file?). ` +
        'Set [database] filename to another name, or move the file away.',
    );
  }
}

export interface DataSourceExtras {
  logger: PulseLogger;
  nativeCacheDir: string;
}

export function dataSourceOptions(target: DatabaseTarget, extras: DataSourceExtras): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrationsRun: false, // openDataSource() runs them, under a lock on PostgreSQL
    synchronize: false,
    logger: new TypeOrmLogger(extras.logger),
    maxQueryExecutionTime: 2000,
  };
  if (target.kind === 'postgres') {
    return { ...common, type: 'postgres', url: target.url, driver: pg, migrations: POSTGRES_MIGRATIONS, applicationName: 'lillydoo-pulse' };
  }
  assertSqliteFileUsable(target.file);
  const nativeBinding = loadEmbeddedAddon('better_sqlite3.node', extras.nativeCacheDir);
  return {
    ...common,
    type: 'better-sqlite3',
    database: target.file,
    driver: Database,
    ...(nativeBinding ? { nativeBinding } : {}),
    migrations: SQLITE_MIGRATIONS,
    enableWAL: true,
    timeout: 5000, // busy timeout: wait for a writer in another process instead of failing at once
    prepareDatabase: (db: Database.Database) => {
      // With WAL, NORMAL loses no commit when the process dies; only a power cut can drop the newest ones.
      db.pragma('synchronous = NORMAL');
    },
  } as DataSourceOptions;
}
