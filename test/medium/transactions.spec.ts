import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { storageHealthOf } from '../../app/database/storage-health.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';
import { Tmpfs, tmpfsUnavailable } from '../support/tmpfs.js';

/** Rows in server_meta, the simplest table there is: (key, value). */
function insertSql(dataSource: DataSource): string {
  const postgres = dataSource.options.type === 'postgres';
  return `INSERT INTO "server_meta" ("key", "value") VALUES (${postgres ? '$1, $2' : '?, ?'})`;
}

async function keys(dataSource: DataSource, prefix: string): Promise<string[]> {
  const rows: { key: string }[] = await dataSource.query(`SELECT "key" FROM "server_meta" ORDER BY "key"`);
  return rows.map((row) => row.key).filter((key) => key.startsWith(prefix));
}

/** A few turns of the event loop: long enough for work that is not blocked to run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

for (const kind of databaseKinds()) {
  describe(`transactions on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
    });

    after(async () => {
      await dataSource?.destroy();
      await database?.dispose();
    });

    it('keeps transactions running at the same time apart: a rollback never undoes work another one committed', async () => {
      let inside!: () => void;
      const started = new Promise<void>((resolve) => (inside = resolve));
      let finish!: () => void;
      const gate = new Promise<void>((resolve) => (finish = resolve));
      const failing = dataSource.transaction(async (manager) => {
        await manager.query(insertSql(dataSource), ['apart.failing.1', 'x']);
        inside();
        await gate;
        await manager.query(insertSql(dataSource), ['apart.failing.2', 'x']);
        throw new Error('the failing transaction gives up');
      });
      await started;
      // Issued while the failing transaction is open: another transaction and a plain statement.
      const committed = dataSource.transaction(async (manager) => {
        await manager.query(insertSql(dataSource), ['apart.committed', 'x']);
      });
      const plain = dataSource.query(insertSql(dataSource), ['apart.plain', 'x']);
      await settle();
      finish();
      await assert.rejects(failing, /gives up/);
      await committed;
      await plain;
      assert.deepEqual(await keys(dataSource, 'apart.'), ['apart.committed', 'apart.plain']);
    });

    it('runs a transaction again after one failed on a constraint, without a transaction left open', async () => {
      await dataSource.query(insertSql(dataSource), ['constraint.first', 'x']);
      await assert.rejects(
        dataSource.transaction(async (manager) => {
          await manager.query(insertSql(dataSource), ['constraint.second', 'x']);
          await manager.query(insertSql(dataSource), ['constraint.first', 'again']);
        }),
      );
      await dataSource.transaction((manager) => manager.query(insertSql(dataSource), ['constraint.third', 'x']));
      assert.deepEqual(await keys(dataSource, 'constraint.'), ['constraint.first', 'constraint.third']);
      assert.equal(storageHealthOf(dataSource).problem, null, 'a constraint is not a storage failure');
    });
  });
}

describe('a full disk under the database', { skip: tmpfsUnavailable() ?? false }, () => {
  it('SQLite: a write that failed on a full disk leaves the connection clean; writes after space returns are kept', async () => {
    const disk = await Tmpfs.mount('4m');
    const database: TestDatabase = {
      kind: 'sqlite',
      target: { kind: 'sqlite', file: path.join(disk.dir, 'pulse.db') },
      dispose: async () => {},
    };
    let dataSource: DataSource | null = await openDataSource(database);
    try {
      await dataSource.query(insertSql(dataSource), ['full.before', 'x']);
      disk.fill();
      const big = 'y'.repeat(512 * 1024);
      // Several failures in a row: the first COMMIT fails, then (on TypeORM's own runner) a RELEASE SAVEPOINT.
      const failures: unknown[] = [];
      for (let attempt = 0; attempt < 30 && failures.length < 3; attempt++) {
        await dataSource
          .transaction(async (manager) => {
            await manager.query(insertSql(dataSource!), [`full.during.${attempt}`, big]);
            await manager.query(insertSql(dataSource!), [`full.during.${attempt}.b`, big]);
          })
          .catch((error: unknown) => failures.push(error));
      }
      assert.equal(failures.length, 3, 'the disk filled up');
      assert.equal(storageHealthOf(dataSource).problem?.kind, 'disk_full');
      await assert.rejects(dataSource.query(insertSql(dataSource), ['full.plain', big]), /disk is full/);

      disk.free();
      // An ordinary failure next (a constraint): on TypeORM's own runner its ROLLBACK TO SAVEPOINT left a
      // transaction open that never committed again.
      await assert.rejects(
        dataSource.transaction((manager) => manager.query(insertSql(dataSource!), ['full.before', 'again'])),
        /UNIQUE constraint/,
      );
      await dataSource.transaction((manager) => manager.query(insertSql(dataSource!), ['full.after.transaction', 'x']));
      await dataSource.query(insertSql(dataSource), ['full.after.plain', 'x']);
      assert.equal(storageHealthOf(dataSource).problem, null, 'a committed write ends the problem');
      await dataSource.destroy();
      dataSource = await openDataSource(database);
      const kept = await keys(dataSource, 'full.');
      assert.deepEqual(
        kept.filter((key) => !key.startsWith('full.during.')),
        ['full.after.plain', 'full.after.transaction', 'full.before'],
      );
    } finally {
      await dataSource?.destroy();
      await disk.unmount();
    }
  });

  it(
    'PostgreSQL: a database whose tablespace is full answers again once space returns',
    { skip: !process.env.PULSE_TEST_POSTGRES_URL },
    async () => {
      const disk = await Tmpfs.mount('4m');
      const adminUrl = process.env.PULSE_TEST_POSTGRES_URL!;
      const suffix = randomBytes(6).toString('hex');
      const [tablespace, name] = [`pulse_full_${suffix}`, `pulse_full_${suffix}`];
      const location = path.join(disk.dir, 'tablespace');
      mkdirSync(location);
      // The cluster runs as the postgres account when the tests run as root.
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(location, uid, gid);
      chmodSync(location, 0o700);
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      let dataSource: DataSource | null = null;
      try {
        await admin.query(`CREATE TABLESPACE ${tablespace} LOCATION '${location}'`);
        await admin.query(`CREATE DATABASE ${name} TABLESPACE ${tablespace}`);
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        const database: TestDatabase = { kind: 'postgres', target: { kind: 'postgres', url: url.toString() }, dispose: async () => {} };
        dataSource = await openDataSource(database);
        await dataSource.query(insertSql(dataSource), ['full.before', 'x']);
        disk.fill();
        const big = randomBytes(256 * 1024).toString('hex'); // incompressible, so TOAST cannot squeeze it
        const failures: unknown[] = [];
        for (let attempt = 0; attempt < 60 && failures.length < 3; attempt++) {
          await dataSource
            .transaction((manager) => manager.query(insertSql(dataSource!), [`full.during.${attempt}`, big]))
            .catch((error: unknown) => failures.push(error));
        }
        assert.equal(failures.length, 3, 'the tablespace filled up');
        assert.equal(storageHealthOf(dataSource).problem?.kind, 'disk_full', String(failures[0]));

        disk.free();
        await dataSource.transaction((manager) => manager.query(insertSql(dataSource!), ['full.after.transaction', 'x']));
        await dataSource.query(insertSql(dataSource), ['full.after.plain', 'x']);
        assert.equal(storageHealthOf(dataSource).problem, null);
        await dataSource.destroy();
        dataSource = await openDataSource(database);
        const kept = await keys(dataSource, 'full.');
        assert.deepEqual(
          kept.filter((key) => !key.startsWith('full.during.')),
          ['full.after.plain', 'full.after.transaction', 'full.before'],
        );
      } finally {
        await dataSource?.destroy();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
        await admin.query(`DROP TABLESPACE IF EXISTS ${tablespace}`).catch(() => undefined);
        await admin.end();
        await disk.unmount();
      }
    },
  );
});
