/**
 * Which database errors mean "the storage cannot take writes right now" (as opposed to a bad query or a
 * constraint): a full disk, I/O errors, a read-only file or file system, a locked SQLite file, a
 * PostgreSQL server that is out of space or cannot be reached. These are the errors a user fixes outside
 * Pulse; the API answers them with 503 `storage_unavailable` and /readyz names them.
 */
export type StorageFailureKind = 'disk_full' | 'io_error' | 'read_only' | 'locked' | 'unreachable';

export interface StorageFailure {
  kind: StorageFailureKind;
  /** The driver's own words, for the log and /readyz. */
  detail: string;
}

interface DriverErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  errors?: unknown;
}

const SQLITE_KINDS: [prefix: string, kind: StorageFailureKind][] = [
  ['SQLITE_FULL', 'disk_full'],
  ['SQLITE_IOERR', 'io_error'],
  ['SQLITE_READONLY', 'read_only'],
  ['SQLITE_CANTOPEN', 'io_error'],
  ['SQLITE_BUSY', 'locked'],
  ['SQLITE_LOCKED', 'locked'],
];

/** PostgreSQL SQLSTATEs (appendix A of its manual) by class or exact code. */
function postgresKind(code: string): StorageFailureKind | null {
  if (code === '53100') return 'disk_full';
  if (code === '58030') return 'io_error';
  if (code === '25006') return 'read_only'; // read_only_sql_transaction: a standby, or default_transaction_read_only
  if (code.startsWith('08')) return 'unreachable'; // connection exceptions
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'unreachable'; // shut down, crashed, starting up
  if (code.startsWith('53')) return 'unreachable'; // insufficient resources: out of memory, too many connections
  return null;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost or timed-out connection as a plain Error without a code. */
const NETWORK_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
];

/** The storage failure behind `error` (a TypeORM QueryFailedError, a driver error, a pool error), or null. */
export function storageFailureOf(error: unknown): StorageFailure | null {
  for (const candidate of causes(error)) {
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    const message = typeof candidate.message === 'string' ? candidate.message : String(candidate);
    const sqlite = SQLITE_KINDS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
    if (sqlite) return { kind: sqlite[1], detail: `${message} (${code})` };
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const kind = postgresKind(code);
      if (kind) return { kind, detail: `${message} (SQLSTATE ${code})` };
    }
    if (NETWORK_CODES.has(code)) return { kind: 'unreachable', detail: `${message} (${code})` };
    if (NETWORK_MESSAGES.some((pattern) => pattern.test(message))) return { kind: 'unreachable', detail: message };
  }
  return null;
}

/** The error itself, TypeORM's wrapped driver error, and the members of an AggregateError (pg tries every address). */
function* causes(error: unknown, depth = 0): Generator<DriverErrorLike> {
  if (error === null || typeof error !== 'object' || depth > 3) return;
  const candidate = error as DriverErrorLike;
  yield candidate;
  if (candidate.driverError) yield* causes(candidate.driverError, depth + 1);
  if (Array.isArray(candidate.errors)) for (const inner of candidate.errors) yield* causes(inner, depth + 1);
}

/** A sentence for people: what is wrong with the storage and what to do about it. */
export function describeStorageFailure(kind: StorageFailureKind): string {
  switch (kind) {
    case 'disk_full':
      return 'the disk holding the database is full; free space there';
    case 'io_error':
      return 'the disk holding the database reports I/O errors; check the disk and the kernel log';
    case 'read_only':
      return 'the database is read-only (file permissions, a read-only mount, or a PostgreSQL standby)';
    case 'locked':
      return 'the database is locked by another process';
    case 'unreachable':
      return 'the database server cannot be reached';
  }
}
