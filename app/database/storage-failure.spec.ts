import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryFailedError } from 'typeorm';
import { storageFailureOf } from './storage-failure.js';

function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('storageFailureOf', () => {
  it('names SQLite storage errors, also inside TypeORM’s QueryFailedError', () => {
    const wrapped = new QueryFailedError('COMMIT', [], driverError('SQLITE_FULL', 'database or disk is full'));
    assert.equal(storageFailureOf(wrapped)?.kind, 'disk_full');
    assert.equal(storageFailureOf(driverError('SQLITE_IOERR_WRITE', 'disk I/O error'))?.kind, 'io_error');
    assert.equal(storageFailureOf(driverError('SQLITE_READONLY', 'attempt to write a readonly database'))?.kind, 'read_only');
    assert.equal(storageFailureOf(driverError('SQLITE_BUSY', 'database is locked'))?.kind, 'locked');
  });

  it('names PostgreSQL disk-full, read-only and connection failures', () => {
    assert.equal(storageFailureOf(driverError('53100', 'could not extend file: No space left on device'))?.kind, 'disk_full');
    assert.equal(storageFailureOf(driverError('25006', 'cannot execute INSERT in a read-only transaction'))?.kind, 'read_only');
    assert.equal(storageFailureOf(driverError('57P01', 'terminating connection due to administrator command'))?.kind, 'unreachable');
    assert.equal(storageFailureOf(new Error('Connection terminated unexpectedly'))?.kind, 'unreachable');
    const refused = new AggregateError([driverError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')], '');
    assert.equal(storageFailureOf(refused)?.kind, 'unreachable');
  });

  it('leaves everything else alone: constraints, syntax, bugs', () => {
    assert.equal(storageFailureOf(driverError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed')), null);
    assert.equal(storageFailureOf(driverError('23505', 'duplicate key value violates unique constraint')), null);
    assert.equal(storageFailureOf(driverError('42601', 'syntax error')), null);
    assert.equal(storageFailureOf(new TypeError('x is undefined')), null);
    assert.equal(storageFailureOf(undefined), null);
  });
});
