import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * TypeORM's better-sqlite3 driver runs everything on one shared query runner, so two transactions started
 * by different flows (the result batch writer, a monitor's state change, the alert queue) interleave on one
 * connection: the second BEGIN becomes a savepoint inside the first, one flow's COMMIT ends the other's
 * transaction half-way ("cannot commit - no transaction is active"), and a rollback can undo another
 * flow's writes. Seen under load with pollers replaying their outboxes.
 *
 * Here transactions on SQLite take turns: `transaction()` and the writes that open one of their own
 * (`save`, `remove`, `softRemove`, `recover`) on the data source's manager wait for the one running to
 * finish. Work already inside a turn (a transaction's callback, however deep) runs at once, as TypeORM's
 * nested savepoint. PostgreSQL has a pool with a connection per transaction and is left alone.
 */
export function takeSqliteTransactionsInTurn(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3') return;
  const inTurn = new AsyncLocalStorage<true>();
  let last: Promise<unknown> = Promise.resolve();
  const inTurnOf = <T>(work: () => Promise<T>): Promise<T> => {
    if (inTurn.getStore()) return work();
    const turn = last.then(() => inTurn.run(true, work));
    last = turn.catch(() => undefined);
    return turn;
  };
  const manager = dataSource.manager as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ['transaction', 'save', 'remove', 'softRemove', 'recover'] as const satisfies readonly (keyof EntityManager)[]) {
    const original = manager[method]!.bind(manager);
    manager[method] = (...args: unknown[]) => inTurnOf(() => original(...args));
  }
}
