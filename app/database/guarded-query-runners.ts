import { Logger } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import type Database from 'better-sqlite3';
import type { DataSource, ObjectLiteral, ReplicationMode } from 'typeorm';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver.js';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { storageHealthOf, type StorageHealth } from './storage-health.js';

/**
 * Every statement and every transaction of Pulse goes through these query runners, installed on the data
 * source before it connects. They keep two promises TypeORM 1.1 does not keep on its own:
 *
 * 1. **Transactions never share state.** TypeORM's better-sqlite3 driver hands every caller the *same*
 *    query runner, so two transactions running at once (a heartbeat save and a token rotation) nest as
 *    savepoints inside each other: one's ROLLBACK undoes the other's already-acknowledged work, and its
 *    depth counter decides which COMMIT really commits. Here each caller gets its own runner and the one
 *    SQLite connection is taken in turns: a transaction holds it from BEGIN to COMMIT/ROLLBACK, a
 *    statement outside a transaction for that statement (PostgreSQL's pool already gives each its own).
 *
 * 2. **A failed write leaves the connection clean.** When COMMIT fails (SQLITE_FULL, SQLITE_IOERR …) SQLite
 *    may roll the transaction back itself; TypeORM's ROLLBACK then fails with "no transaction is active"
 *    and its depth counter stays at 1, so every later transaction became a SAVEPOINT inside one that never
 *    commits — nothing was ever stored again, silently. Here the runner asks the connection
 *    (better-sqlite3's `inTransaction`) instead of trusting the counter, and whoever takes the connection
 *    finds no transaction open. A PostgreSQL connection whose COMMIT or ROLLBACK failed is discarded
 *    instead of going back to the pool.
 *
 * Both report failed and committed writes to the data source's StorageHealth (/readyz, 503s).
 */
export function installGuardedQueryRunners(dataSource: DataSource): void {
  const health = storageHealthOf(dataSource);
  const type = dataSource.options.type;
  if (type === 'better-sqlite3') {
    const driver = dataSource.driver as BetterSqlite3Driver;
    const shared: SharedSqliteConnection = { turn: new Mutex(), statements: new Map() };
    driver.createQueryRunner = () => new SqliteTurnQueryRunner(driver, shared, health);
  } else if (type === 'postgres') {
    const driver = dataSource.driver as PostgresDriver;
    driver.createQueryRunner = (mode: ReplicationMode) => new GuardedPostgresQueryRunner(driver, mode, health);
  } else {
    throw new Error(`no guarded query runner for database type ${type}`);
  }
}

const WRITE_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

interface SharedSqliteConnection {
  /** Whose turn it is on the one connection. FIFO, so a busy writer cannot starve the others. */
  turn: Mutex;
  /** Prepared statements, shared by all runners (TypeORM keeps them per runner). */
  statements: Map<string, unknown>;
}

const logger = new Logger('Database');
/** A transaction holding the connection this long is a bug (see takeTurn); said once per wait. */
const LONG_WAIT_MS = 30_000;

/**
 * Waits for the connection. Inside a transaction, a statement must go through that transaction's
 * manager: one sent through the data source instead waits for the transaction that waits for it. That
 * would hang silently; the log says so instead.
 */
async function takeTurn(shared: SharedSqliteConnection): Promise<() => void> {
  const timer = setTimeout(
    () =>
      logger.error(
        `waiting ${LONG_WAIT_MS / 1000} s for the SQLite connection: a transaction holds it (a statement inside a transaction that does not use the transaction's manager?)`,
      ),
    LONG_WAIT_MS,
  );
  timer.unref();
  try {
    return await shared.turn.acquire();
  } finally {
    clearTimeout(timer);
  }
}

class SqliteTurnQueryRunner extends BetterSqlite3QueryRunner {
  /** Set while this runner's transaction holds the connection. */
  private endTurn: (() => void) | null = null;
  /** A write ran inside the current transaction (so its COMMIT proves the storage takes writes). */
  private wroteInTransaction = false;
  /** SQLite rolled back this runner's outer transaction while an inner one was ending: later statements fail. */
  private abortedBy: Error | null = null;

  constructor(
    driver: BetterSqlite3Driver,
    private readonly shared: SharedSqliteConnection,
    private readonly health: StorageHealth,
  ) {
    super(driver);
    (this as unknown as { stmtCache: Map<string, unknown> }).stmtCache = shared.statements;
  }

  private get sqlite(): Database.Database {
    return this.driver.databaseConnection as Database.Database;
  }

  override async query(query: string, parameters?: any[] | ObjectLiteral, useStructuredResult?: boolean): Promise<any> {
    if (this.abortedBy) throw new Error(`the transaction was rolled back by the database after: ${this.abortedBy.message}`);
    if (this.endTurn) return this.run(query, parameters, useStructuredResult);
    const release = await takeTurn(this.shared);
    try {
      this.cleanConnection();
      const result = await this.run(query, parameters, useStructuredResult);
      if (WRITE_STATEMENT.test(query)) this.health.noteWriteCommitted();
      return result;
    } finally {
      release();
    }
  }

  private async run(query: string, parameters: any[] | ObjectLiteral | undefined, useStructuredResult: boolean | undefined): Promise<any> {
    try {
      const result = await super.query(query, parameters, useStructuredResult);
      if (this.endTurn && WRITE_STATEMENT.test(query)) this.wroteInTransaction = true;
      return result;
    } catch (error) {
      this.health.noteError(error);
      throw error;
    }
  }

  override async startTransaction(isolationLevel?: Parameters<BetterSqlite3QueryRunner['startTransaction']>[0]): Promise<void> {
    if (this.transactionDepth === 0 && !this.endTurn) {
      this.endTurn = await takeTurn(this.shared);
      this.abortedBy = null;
      this.wroteInTransaction = false;
      this.cleanConnection();
    }
    try {
      await super.startTransaction(isolationLevel);
    } catch (error) {
      if (this.transactionDepth === 0) this.finishTurn();
      throw error;
    }
  }

  override async commitTransaction(): Promise<void> {
    try {
      await super.commitTransaction();
    } catch (error) {
      this.afterFailedEnd(error as Error);
      throw error;
    }
    if (this.transactionDepth === 0) {
      if (this.wroteInTransaction) this.health.noteWriteCommitted();
      this.finishTurn();
    }
  }

  override async rollbackTransaction(): Promise<void> {
    try {
      await super.rollbackTransaction();
    } catch (error) {
      this.afterFailedEnd(error as Error);
      throw error;
    }
    if (this.transactionDepth === 0) this.finishTurn();
  }

  /** A runner let go inside its transaction (a caller that never committed) must not keep the connection. */
  override async release(): Promise<void> {
    if (this.endTurn) {
      logger.error('a query runner was released inside its transaction; rolling it back');
      try {
        this.cleanConnection();
      } finally {
        this.finishTurn();
      }
    }
    return super.release();
  }

  /**
   * COMMIT, RELEASE or ROLLBACK failed. If SQLite still has the transaction open, the caller's rollback
   * (EntityManager.transaction always makes one) ends it. If SQLite already rolled it back, say so here:
   * this runner is out of its transaction and gives the connection back.
   */
  private afterFailedEnd(error: Error): void {
    if (!this.endTurn || this.sqlite.inTransaction) return;
    if (this.transactionDepth > 1) this.abortedBy = error;
    this.finishTurn();
  }

  private finishTurn(): void {
    this.transactionDepth = 0;
    this.isTransactionActive = false;
    const release = this.endTurn;
    this.endTurn = null;
    release?.();
  }

  /**
   * Whoever takes the connection must find no transaction open: nobody else holds it, so an open one can
   * only be left over from a failure that was already reported. Roll it back rather than write into it.
   */
  private cleanConnection(): void {
    if (!this.sqlite.inTransaction) return;
    logger.error('the SQLite connection was left inside a transaction after an earlier failure; rolling it back');
    this.sqlite.exec('ROLLBACK');
  }
}

class GuardedPostgresQueryRunner extends PostgresQueryRunner {
  private wroteInTransaction = false;
  /** COMMIT or ROLLBACK failed: the server-side state of this connection is unknown. */
  private endFailed: Error | null = null;

  constructor(
    driver: PostgresDriver,
    mode: ReplicationMode,
    private readonly health: StorageHealth,
  ) {
    super(driver, mode);
  }

  override async query(query: string, parameters?: any[] | ObjectLiteral, useStructuredResult?: boolean): Promise<any> {
    try {
      const result = await super.query(query, parameters, useStructuredResult);
      if (WRITE_STATEMENT.test(query)) {
        if (this.isTransactionActive) this.wroteInTransaction = true;
        else this.health.noteWriteCommitted();
      }
      return result;
    } catch (error) {
      this.health.noteError(error);
      throw error;
    }
  }

  override async startTransaction(isolationLevel?: Parameters<PostgresQueryRunner['startTransaction']>[0]): Promise<void> {
    if (this.transactionDepth === 0) this.wroteInTransaction = false;
    try {
      await super.startTransaction(isolationLevel);
    } catch (error) {
      if (this.transactionDepth === 0) this.isTransactionActive = false;
      throw error;
    }
  }

  override async commitTransaction(): Promise<void> {
    try {
      await super.commitTransaction();
    } catch (error) {
      this.endFailed = error as Error;
      throw error;
    }
    if (this.transactionDepth === 0 && this.wroteInTransaction) this.health.noteWriteCommitted();
  }

  override async rollbackTransaction(): Promise<void> {
    try {
      await super.rollbackTransaction();
    } catch (error) {
      this.endFailed = error as Error;
      throw error;
    }
  }

  /** A connection whose transaction did not end cleanly is closed, never handed to the next caller. */
  override async release(): Promise<void> {
    if (this.endFailed || this.isTransactionActive) {
      const reason = this.endFailed ?? new Error('query runner released inside a transaction');
      return (this as unknown as { releasePostgresConnection(error: Error): Promise<void> }).releasePostgresConnection(reason);
    }
    return super.release();
  }
}
