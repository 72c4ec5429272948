import { createHash } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Distinct texts prepared per connection, at most. Texts follow from the schema's read shapes and
 * from the query documents PostgreSQL answers whole (src/graphql/sql-answers.ts), so clients
 * could keep adding them; past this, new texts go unnamed (planned per use, as before).
 */
const MAX_NAMED_STATEMENTS = 1_000;

/**
 * The hot paths' way to PostgreSQL: straight to node-postgres's pool (no TypeORM query
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
    const result = await pool.query<T & object>(this.statement(text, values));
    return result.rows;
  }

  /** The statement as node-postgres should send it, also on a client of the pool taken for a transaction. */
  statement(text: string, values: unknown[]): QueryConfig {
    const name = this.prepare ? this.nameOf(text) : undefined;
    return name ? { name, text, values } : { text, values };
  }

  /** One name per distinct text: texts differ only by the SQL a request shape needs (visibility, cursor, page size). */
  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (!name) {
      if (this.names.size >= MAX_NAMED_STATEMENTS) return undefined;
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
