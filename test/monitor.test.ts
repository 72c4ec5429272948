import { Client } from 'pg';
import { signUp } from './helpers/factories';
import { spawnNode } from './helpers/processes';
import { startTestServer, type TestServer } from './helpers/test-server';

/** `npx mosis monitor` against a test database, as an on-call engineer runs it. */
jest.setTimeout(60_000);

const monitor = async (args: string[], databaseUrl: string) => {
  const run = spawnNode('bin/mosis.js', ['monitor', ...args], { DATABASE_URL: databaseUrl });
  const { code } = await run.exited;
  return { code, output: run.output() };
};

/** "_yYYYYmMM" of the current UTC month plus `ahead` months. */
const monthSuffix = (ahead: number) => {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
  return `_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
};

let server: TestServer;
let sql: Client;
beforeAll(async () => {
  server = await startTestServer();
  sql = new Client({ connectionString: server.database.url });
  await sql.connect();
  await signUp(server);
});
afterAll(async () => {
  await sql.end();
  await server.close();
});

const SECTIONS = [
  'Attention', 'Server', 'Connections by state', 'Longest-running queries', 'Lock waits', 'Cache hit ratio',
  'Table sizes', 'Index sizes', 'Unused indexes', 'Possibly missing indexes', 'Dead rows and vacuum', 'Partitions',
  'WAL archiving', 'Top statements',
];

it('prints every section of the health report', async () => {
  const { code, output } = await monitor([], server.database.url);
  expect(code).toBe(0);
  for (const title of SECTIONS) expect(output).toContain(`== ${title}`);
  expect(output).toMatch(/developers\s/);
  expect(output).toContain('telemetry_events_default');
});

it('--json gives the same report to machines', async () => {
  const { code, output } = await monitor(['--json'], server.database.url);
  expect(code).toBe(0);
  const report = JSON.parse(output);
  expect(Object.keys(report.sections)).toEqual([
    'server', 'connections', 'longestQueries', 'lockWaits', 'cache', 'tables', 'indexes', 'unusedIndexes',
    'sequentialScans', 'vacuum', 'partitions', 'walArchiving', 'topStatements',
  ]);
  expect(report.sections.connections.rows).toEqual(
    expect.arrayContaining([expect.objectContaining({ database: server.database.name, state: 'active' })]),
  );
  expect(report.sections.cache.rows[0].hit_percent).toBeGreaterThan(0);
  expect(report.sections.tables.rows.map((r: { table: string }) => r.table)).toContain('audit_logs');
});

it('reports whether this and next month have their partitions, for any monthly-partitioned table', async () => {
  // A table of our own, so the partition manager's work does not change what we expect.
  await sql.query(`CREATE TABLE probe_events (at timestamptz NOT NULL) PARTITION BY RANGE (at)`);
  await sql.query(`CREATE TABLE probe_events_default PARTITION OF probe_events DEFAULT`);
  await sql.query(`INSERT INTO probe_events VALUES (now())`);
  await sql.query(`ANALYZE probe_events`);
  const thisMonth = `probe_events${monthSuffix(0)}`;
  const nextMonth = `probe_events${monthSuffix(1)}`;

  const before = JSON.parse((await monitor(['--json'], server.database.url)).output);
  expect(before.attention).toContain(`no partition ${thisMonth} or ${nextMonth} yet: run \`npx mosis partitions\``);
  expect(before.sections.partitions.note).toContain(`next month ${nextMonth} MISSING`);

  await sql.query(`DELETE FROM probe_events`);
  await sql.query(`CREATE TABLE ${thisMonth} PARTITION OF probe_events
                   FOR VALUES FROM (date_trunc('month', now())) TO (date_trunc('month', now()) + interval '1 month')`);
  await sql.query(`CREATE TABLE ${nextMonth} PARTITION OF probe_events
                   FOR VALUES FROM (date_trunc('month', now()) + interval '1 month') TO (date_trunc('month', now()) + interval '2 months')`);
  const after = JSON.parse((await monitor(['--json'], server.database.url)).output);
  expect(after.sections.partitions.note).toContain(`this month ${thisMonth} exists, next month ${nextMonth} exists`);
  expect(after.attention.join('\n')).not.toContain('probe_events_y');
  expect(after.sections.partitions.rows).toEqual(
    expect.arrayContaining([expect.objectContaining({ parent: 'probe_events', partition: nextMonth })]),
  );
});

it('never creates pg_stat_statements unless asked, and uses it when the server preloads it', async () => {
  const extensionExists = async () =>
    (await sql.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`)).rowCount === 1;
  const { rows: [{ preloaded }] } = await sql.query(
    `SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' AS preloaded`,
  );

  const plain = JSON.parse((await monitor(['--json'], server.database.url)).output);
  expect(await extensionExists()).toBe(false);
  expect(plain.sections.topStatements.note).toContain('--enable-pg-stat-statements');

  const enabled = JSON.parse((await monitor(['--json', '--enable-pg-stat-statements'], server.database.url)).output);
  if (preloaded) {
    // Debian's cluster in CI (scripts/pg-cluster.sh preloads it).
    expect(await extensionExists()).toBe(true);
    expect(enabled.sections.topStatements.rows.length).toBeGreaterThan(0);
    expect(enabled.sections.topStatements.rows[0]).toHaveProperty('mean_ms');
  } else {
    // The embedded server does not preload it: the report says how, and nothing was created.
    expect(await extensionExists()).toBe(false);
    expect(enabled.sections.topStatements.note).toContain("shared_preload_libraries = 'pg_stat_statements'");
  }
});

it('rejects unknown options', async () => {
  const { code, output } = await monitor(['--frobnicate'], server.database.url);
  expect(code).toBe(2);
  expect(output).toContain("unknown option '--frobnicate'");
});
