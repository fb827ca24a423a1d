import { Column, type ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a bigint column: compact, the same on SQLite and PostgreSQL,
 * and cheap to compare on hot paths. node-postgres returns int8 as text, hence the transformer.
 */
export const epochMsTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};

export function EpochMsColumn(options: { nullable?: boolean; name?: string } = {}): PropertyDecorator {
  return Column({ type: 'bigint', nullable: options.nullable ?? false, name: options.name, transformer: epochMsTransformer });
}
