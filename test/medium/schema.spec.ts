import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestDatabase, databaseKinds, openDataSource } from '../support/databases.js';

for (const kind of databaseKinds()) {
  describe(`schema on ${kind}`, () => {
    it('migrations build exactly the schema the entities describe', async () => {
      const database = await createTestDatabase(kind);
      try {
        const dataSource = await openDataSource(database);
        const pending = await dataSource.driver.createSchemaBuilder().log();
        await dataSource.destroy();
        assert.deepEqual(
          pending.upQueries.map((query) => query.query),
          [],
          'entities and migrations disagree',
        );
      } finally {
        await database.dispose();
      }
    });

    it('runs migrations once: a restart finds nothing to do and keeps the data', async () => {
      const database = await createTestDatabase(kind);
      try {
        const first = await openDataSource(database);
        await first.query(`INSERT INTO "server_meta" ("key", "value") VALUES ('probe', 'kept')`);
        const applied = await first.query(`SELECT COUNT(*) AS n FROM "migrations"`);
        await first.destroy();
        const second = await openDataSource(database);
        assert.equal(await second.showMigrations(), false, 'no pending migrations after a restart');
        assert.deepEqual(await second.query(`SELECT COUNT(*) AS n FROM "migrations"`), applied);
        const rows = await second.query(`SELECT "value" FROM "server_meta" WHERE "key" = 'probe'`);
        assert.equal(rows[0].value, 'kept');
        await second.destroy();
      } finally {
        await database.dispose();
      }
    });

    it('reverts every migration cleanly', async () => {
      const database = await createTestDatabase(kind);
      try {
        const dataSource = await openDataSource(database);
        while ((await dataSource.query(`SELECT COUNT(*) AS n FROM "migrations"`))[0].n > 0) await dataSource.undoLastMigration();
        const leftover = await dataSource.driver.createSchemaBuilder().log();
        assert.ok(leftover.upQueries.length > 0, 'after undoing everything the entity tables are gone');
        await dataSource.destroy();
      } finally {
        await database.dispose();
      }
    });
  });
}
