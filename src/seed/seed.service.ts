import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { seedApiKeys, seedDevelopers } from './accounts';
import { seedAuditLogs } from './audit';
import { seedApps, seedVersions } from './catalog';
import { SeedContext } from './context';
import { seedCrashes } from './crashes';
import { SCALES, type ScaleName } from './scales';
import { seedTelemetry } from './telemetry';

export interface SeedOptions {
  scale: ScaleName;
  /** UTC midnight ending the generated history; the same date and scale give the same rows. */
  until: Date;
  /** Empty a database that holds data first (everything in it is lost). */
  force: boolean;
}

export interface SeedProgress {
  advance(rows: number, detail: string): void;
  stop(): void;
}

export interface SeedResult {
  rows: Record<string, number>;
  seconds: number;
  databaseSize: string;
}

const SEEDED_TABLES = [
  'developers', 'signing_keys', 'api_keys', 'apps', 'app_versions', 'telemetry_events', 'telemetry_daily_devices',
  'telemetry_daily', 'crash_reports', 'crash_groups', 'audit_logs',
];

/** Generated rows, in the order they are written; telemetry_daily is counted in the events it sums. */
export function plannedRows(scale: ScaleName): Record<string, number> {
  const s = SCALES[scale];
  return {
    developers: s.developers, apps: s.apps, app_versions: s.versions, api_keys: s.apiKeys,
    telemetry_events: s.telemetryEvents, telemetry_daily: s.telemetryEvents, crash_reports: s.crashReports, audit_logs: s.auditLogs,
  };
}

/**
 * `mosis seed`: migrates, refuses a database that holds data (unless `force`), then fills every
 * table through COPY with realistic, deterministic rows, and ends with VACUUM ANALYZE so the
 * first queries are planned on real statistics.
 */
export async function seedDatabase(
  db: DataSource,
  url: string,
  options: SeedOptions,
  startProgress: (total: number) => SeedProgress,
): Promise<SeedResult> {
  const started = Date.now();
  await db.runMigrations({ transaction: 'each' });
  const filled = await tablesWithRows(db);
  if (filled.length) {
    if (!options.force) {
      const [{ name }] = await db.query('SELECT current_database() AS name');
      throw new Error(
        `database "${name}" already holds data (${filled.slice(0, 5).join(', ')}${filled.length > 5 ? ', …' : ''}); ` +
          'seed fills only an empty database. Point DATABASE_URL at a new one, or pass --force to delete everything in this one first.',
      );
    }
    await emptyDatabase(db);
  }

  const planned = plannedRows(options.scale);
  const progress = startProgress(Object.values(planned).reduce((sum, n) => sum + n, 0));
  const pool = new Pool({ connectionString: url, max: 6 });
  // Bulk load: no wait for the WAL flush per COPY, and no API statement timeout on long steps.
  pool.on('connect', (client) => void client.query(`SET synchronous_commit = off; SET statement_timeout = 0`));
  const ctx = new SeedContext(SCALES[options.scale], options.until, pool, (count, table) => {
    if (table in planned) progress.advance(count, table);
  });
  try {
    const developers = await seedDevelopers(ctx);
    const apps = await seedApps(ctx, developers);
    await seedVersions(ctx, developers, apps);
    await seedApiKeys(ctx, developers);
    await seedTelemetry(ctx, apps);
    await seedCrashes(ctx, apps);
    await seedAuditLogs(ctx, developers, apps);
  } finally {
    progress.stop();
  }
  try {
    await ctx.query('VACUUM (ANALYZE)');
    const rows: Record<string, number> = {};
    for (const table of SEEDED_TABLES) {
      const [{ count }] = await ctx.query(`SELECT count(*)::bigint AS count FROM ${table}`);
      rows[table] = Number(count);
    }
    const [{ size }] = await ctx.query('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');
    return { rows, seconds: (Date.now() - started) / 1000, databaseSize: String(size) };
  } finally {
    await pool.end();
  }
}

/** Public tables that hold a row (the migrations table aside). */
async function tablesWithRows(db: DataSource): Promise<string[]> {
  const tables: { name: string }[] = await db.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'migrations'
      ORDER BY c.relname`,
  );
  const filled: string[] = [];
  for (const { name } of tables) {
    const [{ any }] = await db.query(`SELECT EXISTS (SELECT 1 FROM "${name}") AS any`);
    if (any) filled.push(name);
  }
  return filled;
}

/**
 * --force: the public schema dropped and made again by the migrations. audit_logs refuses DELETE
 * and TRUNCATE by design, so dropping is the only way to empty it.
 */
async function emptyDatabase(db: DataSource): Promise<void> {
  await db.query('DROP SCHEMA public CASCADE');
  await db.query('CREATE SCHEMA public');
  await db.runMigrations({ transaction: 'each' });
}
