import type { DataSource, EntityManager } from 'typeorm';

/** A calendar month in UTC; `month` is 1–12. */
export interface Month {
  year: number;
  month: number;
}

export function monthOf(date: Date): Month {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

export function addMonths({ year, month }: Month, count: number): Month {
  const index = year * 12 + (month - 1) + count;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const firstDay = (m: Month) => `${m.year}-${pad2(m.month)}-01`;
const monthKey = (m: Month) => `${m.year}-${pad2(m.month)}`;

/**
 * The start of the oldest UTC day still retained. Ingestion refuses events before it and
 * maintenance deletes everything before it, so a day's device set never changes after the day
 * has expired and the rollups it produced stay exact.
 */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - retentionDays));
}

/**
 * Tables range-partitioned by month, each with a DEFAULT partition `<parent>_default` that catches
 * rows no monthly partition covers. Partitions are named `<parent>_yYYYYmMM`; anything else
 * attached to these tables belongs to an operator and is left alone.
 */
const MONTHLY_TABLES = [
  { parent: 'telemetry_events', column: '"timestamp"', bound: (m: Month) => `'${firstDay(m)} 00:00:00+00'` },
  { parent: 'telemetry_daily_devices', column: 'date', bound: (m: Month) => `'${firstDay(m)}'` },
  { parent: 'version_daily_devices', column: 'date', bound: (m: Month) => `'${firstDay(m)}'` },
] as const;

type MonthlyTable = (typeof MONTHLY_TABLES)[number];

const partitionName = (table: MonthlyTable, m: Month) => `${table.parent}_y${m.year}m${pad2(m.month)}`;

export interface MonthlyPartition {
  name: string;
  /** Creates it detached: LIKE the parent, without indexes. */
  create: string;
  /** Attaches it, which builds the parent's indexes on it in one pass over its rows. */
  attach: string;
}

/** One month's partition of a monthly table; between create and attach it can be filled in bulk (`mosis seed` does). */
export function monthlyPartition(parent: MonthlyTable['parent'], month: Month): MonthlyPartition {
  const table = MONTHLY_TABLES.find((t) => t.parent === parent)!;
  const name = partitionName(table, month);
  return {
    name,
    create: `CREATE TABLE "${name}" (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)`,
    attach: `ALTER TABLE ${parent} ATTACH PARTITION "${name}" FOR VALUES FROM (${table.bound(month)}) TO (${table.bound(addMonths(month, 1))})`,
  };
}

/** Partition DDL waits at most this long for a lock, so it never stalls ingestion queued behind it. */
const LOCK_TIMEOUT = '2s';

export interface MaintenanceResult {
  created: string[];
  /** Rows moved out of the default partitions into partitions created for them. */
  moved: number;
  dropped: string[];
  /** Expired rows deleted from the default partitions. */
  deleted: number;
}

/**
 * Keeps the monthly partitions of telemetry_events and the per-day device sets: creates them ahead
 * of time and on demand, and drops them once expired. telemetry_daily is never touched, so daily
 * rollups outlive the raw events they were built from.
 *
 * Every change runs in one transaction holding a transaction-level advisory lock (no session
 * state, so it works behind PgBouncer in transaction mode); concurrent creators, in this process
 * or another, queue on that lock and then find the partition already there.
 */
export class PartitionManager {
  /** Months known to have all their partitions: ingestion checks the database only for others. */
  private readonly ready = new Set<string>();

  constructor(
    private readonly db: DataSource,
    private readonly options: { retentionDays: number; partitionsAhead: number },
  ) {}

  /** For ingestion: makes sure the batch's months have partitions, asking the database only about new months. */
  async ensureMonths(months: Month[]): Promise<string[]> {
    const unknown = new Map(months.filter((m) => !this.ready.has(monthKey(m))).map((m) => [monthKey(m), m]));
    if (unknown.size === 0) return [];
    return (await this.createMissing([...unknown.values()])).created;
  }

  /** `npx mosis partitions`, server start and every hour: the current month and those ahead, then retention. */
  async maintain(now = new Date()): Promise<MaintenanceResult> {
    const current = monthOf(now);
    const months = Array.from({ length: this.options.partitionsAhead + 1 }, (_, i) => addMonths(current, i));
    const { created, moved } = await this.createMissing(months);
    const { dropped, deleted } = await this.dropExpired(now);
    return { created, moved, dropped, deleted };
  }

  private async createMissing(months: Month[]): Promise<{ created: string[]; moved: number }> {
    const result = await this.inLockedTransaction(async (manager) => {
      const wanted = months.flatMap((month) => MONTHLY_TABLES.map((table) => ({ table, month, name: partitionName(table, month) })));
      const missing: { name: string }[] = await manager.query(
        `SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL`,
        [wanted.map((w) => w.name)],
      );
      const missingNames = new Set(missing.map((m) => m.name));
      let moved = 0;
      for (const { table, month, name } of wanted) {
        if (missingNames.has(name)) moved += await this.createPartition(manager, table, month, name);
      }
      return { created: [...missingNames], moved };
    });
    for (const month of months) this.ready.add(monthKey(month));
    return result;
  }

  /**
   * Creates the table detached, moves in any rows the default partition holds for its month
   * (ATTACH refuses while they are there), then attaches it: ATTACH needs only a SHARE UPDATE
   * EXCLUSIVE lock on the parent, so ingestion into other months carries on meanwhile.
   */
  private async createPartition(manager: EntityManager, table: MonthlyTable, month: Month, name: string): Promise<number> {
    const from = table.bound(month);
    const to = table.bound(addMonths(month, 1));
    const partition = monthlyPartition(table.parent, month);
    await manager.query(partition.create);
    const [{ moved }] = await manager.query(
      `WITH taken AS (
         DELETE FROM ${table.parent}_default WHERE ${table.column} >= ${from} AND ${table.column} < ${to} RETURNING *
       ), put AS (
         INSERT INTO "${name}" SELECT * FROM taken RETURNING 1
       )
       SELECT count(*)::int AS moved FROM put`,
    );
    await manager.query(partition.attach);
    return moved;
  }

  private async dropExpired(now: Date): Promise<{ dropped: string[]; deleted: number }> {
    const cutoff = retentionCutoff(now, this.options.retentionDays);
    return this.inLockedTransaction(async (manager) => {
      const dropped: string[] = [];
      let deleted = 0;
      for (const table of MONTHLY_TABLES) {
        const children: { name: string }[] = await manager.query(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
          [table.parent],
        );
        const pattern = new RegExp(`^${table.parent}_y(\\d{4})m(\\d{2})$`);
        for (const { name } of children) {
          const match = pattern.exec(name);
          if (!match) continue;
          const month = { year: Number(match[1]), month: Number(match[2]) };
          const end = addMonths(month, 1);
          if (Date.UTC(end.year, end.month - 1, 1) > cutoff.getTime()) continue;
          await manager.query(`DROP TABLE "${name}"`);
          this.ready.delete(monthKey(month));
          dropped.push(name);
        }
        const [{ count }] = await manager.query(
          `WITH gone AS (DELETE FROM ${table.parent}_default WHERE ${table.column} < $1 RETURNING 1)
           SELECT count(*)::int AS count FROM gone`,
          [cutoff.toISOString()],
        );
        deleted += count;
      }
      return { dropped, deleted };
    });
  }

  private inLockedTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [LOCK_TIMEOUT]);
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('mosis:telemetry-partitions'))`);
      return work(manager);
    });
  }
}

/** One line per change, for the CLI and the server log; empty when nothing changed. */
export function describeMaintenance(result: MaintenanceResult): string[] {
  return [
    ...result.created.map((name) => `created ${name}`),
    ...(result.moved ? [`moved ${result.moved} rows from the default partitions into new partitions`] : []),
    ...result.dropped.map((name) => `dropped ${name}`),
    ...(result.deleted ? [`deleted ${result.deleted} expired rows from the default partitions`] : []),
  ];
}

/** Runs maintenance now (on server start) and then every hour until stopped. Failures are logged, never fatal. */
export async function startPartitionMaintenance(
  partitions: PartitionManager,
  log: (message: string) => void,
  intervalMs = 60 * 60 * 1000,
): Promise<{ stop(): void }> {
  const run = async () => {
    try {
      for (const line of describeMaintenance(await partitions.maintain())) log(`partitions: ${line}`);
    } catch (error) {
      log(`partitions: maintenance failed, will retry in an hour: ${(error as Error).message}`);
    }
  };
  await run();
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
