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
