import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of a statement, whatever its kind: TypeORM's postgres driver returns `[rows, rowCount]`
 * for UPDATE and DELETE but plain rows otherwise, which is easy to trip over with RETURNING.
 */
export async function queryRows<T>(runner: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await runner.query(sql, params);
  const isUpdateShape = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
  return (isUpdateShape ? result[0] : result) as T[];
}

/**
 * A table's columns as SQL over a row alias, by entity property name: one list serves both the
 * reads that return rows (selectColumns) and the answers PostgreSQL renders (src/graphql/sql-answers.ts).
 */
export type ColumnMap = Record<string, (alias: string) => string>;

/** `expression AS "property", …` for every column of the map. */
export function selectColumns(columns: ColumnMap, alias: string): string {
  return Object.entries(columns).map(([property, sql]) => `${sql(alias)} AS "${property}"`).join(', ');
}
