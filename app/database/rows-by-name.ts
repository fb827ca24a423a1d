import { In, type EntityManager, type ObjectLiteral } from 'typeorm';

/** Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 200;

/**
 * Multi-row `INSERT … ON CONFLICT ("name") DO UPDATE` for tables keyed by a `name` column, written out
 * directly: on the save path TypeORM's query builder cost more CPU than the database itself (it is the
 * same statement it would build).
 */
export async function upsertByName<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(entity);
  const columns = metadata.columns.map((column) => ({ property: column.propertyName, name: `"${column.databaseName}"` }));
  const postgres = manager.connection.options.type === 'postgres';
  const head = `INSERT INTO "${metadata.tableName}" (${columns.map((column) => column.name).join(', ')}) VALUES `;
  const tail = ` ON CONFLICT ("name") DO UPDATE SET ${columns
    .filter((column) => column.name !== '"name"')
    .map((column) => `${column.name} = excluded.${column.name}`)
    .join(', ')}`;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const parameters: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = columns.map((column) => {
        parameters.push(row[column.property]);
        return postgres ? `$${parameters.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    await manager.query(head + tuples.join(', ') + tail, parameters);
  }
}

/** Deletes the rows with these names, in chunks. */
export async function deleteByName<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, names: string[]): Promise<void> {
  for (let start = 0; start < names.length; start += CHUNK) {
    await manager.getRepository(entity).delete({ name: In(names.slice(start, start + CHUNK)) } as never);
  }
}
