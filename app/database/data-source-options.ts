import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
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
/** What to do about a file Pulse cannot use; the same advice for every damaged file. */
const DAMAGED_ADVICE = 'Restore it from a backup, or move it away to start with an empty database.';

/**
 * A Lovebeat database (or any other file) at the configured path must not be mistaken for ours, and a
 * truncated copy of ours must not get as far as a migration that fails with "malformed". Both are
 * refused before anything opens the file, naming the path and what is wrong.
 */
export function assertSqliteFileUsable(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const header = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.subarray(0, 16).toString('latin1') !== SQLITE_HEADER) {
    throw new DatabaseFileError(
      `${file} exists but is not a SQLite database (a Lovebeat database file?). ` +
        'Set [database] filename to another name, or move the file away.',
    );
  }
  const size = statSync(file).size;
  // The header (https://www.sqlite.org/fileformat.html) gives the page size at offset 16 (1 means 65536)
  // and the database's size in pages at offset 28: a file shorter than that lost its end.
  const pageSize = read >= 32 ? header.readUInt16BE(16) : 0;
  const pages = read >= 32 ? header.readUInt32BE(28) : 0;
  const expected = (pageSize === 1 ? 65536 : pageSize) * pages;
  // With a write-ahead log beside it, SQLite may still complete the file from the log (a checkpoint
  // cut short): leave the verdict to SQLite then ("malformed" is reported by sqliteFileError).
  const wal = `${file}-wal`;
  const walPending = existsSync(wal) && statSync(wal).size > 0;
  if (read < 100 || (size < expected && !walPending)) {
    throw new DatabaseFileError(
      `${file} is truncated: it has ${size} bytes, its header says ${read < 100 ? 'at least 100' : expected}. ${DAMAGED_ADVICE}`,
    );
  }
}

/**
 * Start-up errors opening or migrating the SQLite file, in words that name the file and the reason
 * (SQLite itself says only "unable to open database file" or "database disk image is malformed").
 * Null for errors that are not about the file.
 */
export function sqliteFileError(file: string, error: unknown): DatabaseFileError | null {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new DatabaseFileError(`${file} is damaged or truncated (${message}). ${DAMAGED_ADVICE}`);
  }
  const fileSystem = ['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR'].includes(code);
  if (fileSystem || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR')) {
    return cannotOpen(file, unwritableReason(file) ?? message);
  }
  return null;
}

/**
 * Before anything else opens it: the file is ours and whole (assertSqliteFileUsable), and Pulse can write
 * there — so a bad file or a read-only directory is one clear sentence at start, not a stack trace.
 */
export function checkSqliteFileAtStart(file: string): void {
  assertSqliteFileUsable(file);
  const reason = unwritableReason(file);
  // A directory that does not exist yet is made by the driver, if its parent allows.
  if (reason && !reason.endsWith('does not exist')) throw cannotOpen(file, reason);
}

function cannotOpen(file: string, reason: string): DatabaseFileError {
  return new DatabaseFileError(
    `cannot open the database ${file}: ${reason}. Give the user Pulse runs as (uid ${process.getuid?.() ?? '?'}) ` +
      'write access there, or set data_dir (PULSE_DATA_DIR) to a writable directory.',
  );
}

/** A data directory that does not exist is made at start, unless its nearest existing parent is not writable. */
function missingDirectoryReason(dir: string): string {
  let parent = path.dirname(dir);
  while (!existsSync(parent) && parent !== path.dirname(parent)) parent = path.dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
    return `the directory ${dir} does not exist`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : `is not writable (${code})`;
    return `the directory ${dir} does not exist and cannot be made: ${parent} ${why}`;
  }
}

/** Why the database file or its directory cannot be written (SQLite also writes -wal and -shm beside it). */
function unwritableReason(file: string): string | null {
  const dir = path.dirname(file);
  for (const [target, what] of [
    [dir, 'the directory'],
    [file, 'the file'],
  ] as const) {
    if (target === file && !existsSync(file)) continue;
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return `${what} ${target} is on a read-only file system`;
      if (code === 'ENOENT') return missingDirectoryReason(target);
      return `${what} ${target} is not writable (${code})`;
    }
  }
  return null;
}

export interface DataSourceExtras {
  logger: PulseLogger;
  nativeCacheDir: string;
}

/**
 * PostgreSQL ends a session that sits inside a transaction this long without a statement. Pulse never
 * pauses inside a transaction, so only a server cut off mid-transaction (its connection silent, not
 * closed) hits it — and its row locks would otherwise keep the others from taking its work over until
 * TCP gives up, which can be hours.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;

export function dataSourceOptions(target: DatabaseTarget, extras: DataSourceExtras): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrationsRun: false, // openDataSource() runs them, under a lock on PostgreSQL
    synchronize: false,
    logger: new TypeOrmLogger(extras.logger),
    maxQueryExecutionTime: 2000,
  };
  if (target.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: target.url,
      driver: pg,
      migrations: POSTGRES_MIGRATIONS,
      applicationName: 'lillydoo-pulse',
      extra: { options: `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_TIMEOUT_MS}` },
    };
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
