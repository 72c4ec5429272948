import type { Pool, PoolClient } from 'pg';
import { type CopyValue, CopyWriter } from './copy-writer';
import { Random } from './random';
import type { Scale } from './scales';

const DAY_MS = 86_400_000;

/** What every table generator gets: the volumes, the clock, the connections, and where to report progress. */
export class SeedContext {
  constructor(
    readonly scale: Scale,
    /** UTC midnight that ends the generated history: telemetry covers the days before it. */
    readonly until: Date,
    private readonly pool: Pool,
    /** Called after every batch of rows written, with how many and into which table. */
    readonly onRows: (rows: number, table: string) => void,
  ) {}

  /** A stream for one table: its rows do not depend on how other tables are generated. */
  random(table: string): Random {
    return new Random(`mosis seed ${table} ${this.until.toISOString()}`);
  }

  /** First millisecond of the telemetry window. */
  get windowStart(): number {
    return this.until.getTime() - this.scale.telemetryDays * DAY_MS;
  }

  daysBefore(days: number): number {
    return this.until.getTime() - days * DAY_MS;
  }

  /** Runs `fill` with a COPY into `table`, reporting progress every 10,000 rows. */
  async copy(table: string, columns: readonly string[], fill: (write: (values: CopyValue[]) => Promise<void>) => Promise<void>): Promise<number> {
    return this.withClient(async (client) => {
      const writer = new CopyWriter(client, table, columns);
      let reported = 0;
      await fill(async (values) => {
        await writer.row(values);
        if (writer.rows - reported >= 10_000) {
          this.onRows(writer.rows - reported, table);
          reported = writer.rows;
        }
      });
      const rows = await writer.end();
      this.onRows(rows - reported, table);
      return rows;
    });
  }

  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return this.withClient(async (client) => (await client.query(sql, params)).rows);
  }

  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClients(1, ([client]) => work(client));
  }

  /** `count` connections at once, e.g. one COPY per monthly partition. */
  async withClients<T>(count: number, work: (clients: PoolClient[]) => Promise<T>): Promise<T> {
    const clients = await Promise.all(Array.from({ length: count }, () => this.pool.connect()));
    try {
      return await work(clients);
    } finally {
      for (const client of clients) client.release();
    }
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();
export { DAY_MS };
