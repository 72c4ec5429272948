import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The hot read path's way to PostgreSQL: straight to node-postgres's pool (no TypeORM query
 * runner per statement) and, unless PgBouncer in transaction mode sits in between, as named
 * prepared statements, so PostgreSQL parses and plans each distinct text once per connection
 * instead of on every request. Statements still reach the DataSource's logger, so statement
 * counts stay observable.
 */
export class ReadQueries {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly db: DataSource,
    /** False behind PgBouncer (transaction mode): a statement prepared on one server connection would be missing on the next. */
    private readonly prepare: boolean,
  ) {}

  async rows<T>(text: string, values: unknown[]): Promise<T[]> {
    if (this.db.options.logging) this.db.logger.logQuery(text, values);
    const pool = (this.db.driver as unknown as { master: Pool }).master;
    const result = await pool.query<T & object>(this.prepare ? { name: this.nameOf(text), text, values } : { text, values });
    return result.rows;
  }

  /** One name per distinct text: texts differ only by the SQL a request shape needs (visibility, cursor, page size). */
  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = 'mosis_' + createHash('sha1').update(text).digest('hex').slice(0, 20);
      this.names.set(text, name);
    }
    return name;
  }
}

/** JSON (json_agg, to_json) carries timestamps as strings: turns the named ones back into Dates, leaving null alone. */
export function reviveDates<T>(json: Record<string, unknown>, keys: readonly string[]): T {
  for (const key of keys) {
    const value = json[key];
    if (typeof value === 'string') json[key] = new Date(value);
  }
  return json as T;
}
