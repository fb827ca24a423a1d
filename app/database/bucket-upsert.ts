import type { EntityManager } from 'typeorm';

/** How one table of time buckets takes a delta for a bucket that may already have a row. */
export interface BucketTable<Delta> {
  table: string;
  /** Each column and where a delta holds its value. */
  columns: Readonly<Record<string, (delta: Delta) => unknown>>;
  /** The bucket's key (its unique index). */
  key: readonly string[];
  /** Counters and sums: the delta is added. */
  added: readonly string[];
  /** Kept as the smaller / larger of the row's and the delta's (either may be NULL). */
  least?: readonly string[];
  greatest?: readonly string[];
  /** The delta's value replaces the row's unless it is NULL. */
  latest?: readonly string[];
}

/**
 * Adds deltas to their bucket rows in one statement: `INSERT … ON CONFLICT (key) DO UPDATE`, written out
 * for both dialects (the hot write path of results and agent reports; TypeORM has no "add on conflict").
 */
export async function addToBuckets<Delta>(manager: EntityManager, table: BucketTable<Delta>, deltas: readonly Delta[]): Promise<void> {
  if (deltas.length === 0) return;
  const columns = Object.keys(table.columns);
  const values = Object.values(table.columns);
  const postgres = manager.connection.options.type === 'postgres';
  const parameters: unknown[] = [];
  const mark = (value: unknown) => {
    parameters.push(value);
    return postgres ? `$${parameters.length}` : '?';
  };
  const tuples = deltas.map((delta) => `(${values.map((value) => mark(value(delta))).join(', ')})`);
  const current = (column: string) => `"${table.table}"."${column}"`;
  // NULLs: SQLite's MIN(NULL, x) is NULL, so each side falls back to the other.
  const extreme = (fn: string, column: string) =>
    `"${column}" = ${fn}(COALESCE(${current(column)}, excluded."${column}"), COALESCE(excluded."${column}", ${current(column)}))`;
  const [least, greatest] = postgres ? ['LEAST', 'GREATEST'] : ['MIN', 'MAX'];
  const updates = [
    ...table.added.map((column) => `"${column}" = ${current(column)} + excluded."${column}"`),
    ...(table.least ?? []).map((column) => extreme(least, column)),
    ...(table.greatest ?? []).map((column) => extreme(greatest, column)),
    ...(table.latest ?? []).map((column) => `"${column}" = COALESCE(excluded."${column}", ${current(column)})`),
  ];
  const quoted = (names: readonly string[]) => names.map((column) => `"${column}"`).join(', ');
  await manager.query(
    `INSERT INTO "${table.table}" (${quoted(columns)}) VALUES ${tuples.join(', ')} ` +
      `ON CONFLICT (${quoted(table.key)}) DO UPDATE SET ${updates.join(', ')}`,
    parameters,
  );
}
