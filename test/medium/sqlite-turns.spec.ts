import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerMeta } from '../../app/database/server-meta.entity.js';
import { createTestDatabase, databaseKinds, openDataSource } from '../support/databases.js';

const pause = () => new Promise((resolve) => setImmediate(resolve));

for (const kind of databaseKinds()) {
  describe(`transactions from flows running at once, on ${kind}`, () => {
    it('never interleave: each commits or rolls back only its own writes', async () => {
      const database = await createTestDatabase(kind);
      const dataSource = await openDataSource(database);
      try {
        // Writers that yield between statements, as the result batch writer and a state change do; one in
        // three fails half-way and must leave nothing behind, the others must keep everything.
        const writers = Array.from({ length: 30 }, (_, writer) =>
          dataSource
            .transaction(async (manager) => {
              for (let row = 0; row < 5; row++) {
                await manager.insert(ServerMeta, { key: `w${writer}-${row}`, value: 'x' });
                await pause();
              }
              if (writer % 3 === 0) throw new Error('half-way failure');
            })
            .then(
              () => 'committed',
              (error: Error) => error.message,
            ),
        );
        const saves = Array.from({ length: 10 }, (_, index) =>
          dataSource
            .getRepository(ServerMeta)
            .save({ key: `save-${index}`, value: 'y' })
            .then(() => 'committed'),
        );
        const outcomes = await Promise.all([...writers, ...saves]);
        assert.deepEqual(
          outcomes.filter((outcome) => outcome !== 'committed' && outcome !== 'half-way failure'),
          [],
          'no transaction was broken by another',
        );
        const keys = (await dataSource.getRepository(ServerMeta).find()).map((row) => row.key).filter((key) => /^(w|save-)/.test(key));
        const expected = [
          ...Array.from({ length: 30 }, (_, writer) => writer)
            .filter((writer) => writer % 3 !== 0)
            .flatMap((writer) => Array.from({ length: 5 }, (_, row) => `w${writer}-${row}`)),
          ...Array.from({ length: 10 }, (_, index) => `save-${index}`),
        ];
        assert.deepEqual(keys.sort(), expected.sort());
      } finally {
        await dataSource.destroy();
        await database.dispose();
      }
    });
  });
}
