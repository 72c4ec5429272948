import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { migrations } from '../migrations';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
});
afterAll(() => database.drop());

const publicTables = async (db: ReturnType<typeof createDataSource>) =>
  (
    await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
    )
  ).map((r: { table_name: string }) => r.table_name);

it('run up, all the way down, and up again on an empty database', async () => {
  const db = createDataSource({ url: database.url, pool: loadConfig().db });
  await db.initialize();
  try {
    expect(await publicTables(db)).toEqual([]);

    const applied = await db.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(migrations.length);
    const tables = await publicTables(db);
    for (const name of ['developers', 'api_keys', 'apps', 'app_versions', 'signing_keys', 'telemetry_events',
      'crash_reports', 'telemetry_daily', 'audit_logs']) {
      expect(tables).toContain(name);
    }

    for (let i = 0; i < migrations.length; i++) await db.undoLastMigration({ transaction: 'each' });
    expect(await publicTables(db)).toEqual([]);
    const [{ functions }] = await db.query(
      `SELECT count(*)::int AS functions FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
    );
    expect(functions).toBe(0);

    expect(await db.runMigrations({ transaction: 'each' })).toHaveLength(migrations.length);
    expect(await db.showMigrations()).toBe(false);
  } finally {
    await db.destroy();
  }
});
