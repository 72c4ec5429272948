import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { fingerprint, withClient } from './helpers/fingerprint';
import { createApiKey, signUp } from './helpers/factories';
import { freePort, spawnNode } from './helpers/processes';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * `npx mosis backup` / `restore` as an operator runs them: a database populated through the API
 * and by direct SQL goes through a backup file into an empty database, and comes out identical,
 * table by table. Then the same through the embedded server, and the refusals.
 */
jest.setTimeout(120_000);

const mosis = async (args: string[], env: Record<string, string | undefined>) => {
  const run = spawnNode('bin/mosis.js', args, env);
  const { code } = await run.exited;
  return { code, output: run.output() };
};

/** Rows in tables the API does not fill yet, with awkward values: quotes, backslashes, unicode, NULLs, arrays, JSON. */
async function populateDirectly(url: string, developerId: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows: [key] } = await client.query(
      `INSERT INTO signing_keys (developer_id, name, public_key, fingerprint)
       VALUES ($1, 'release key', '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----', repeat('ab', 32))
       RETURNING id`,
      [developerId],
    );
    const { rows: apps } = await client.query(
      `INSERT INTO apps (developer_id, package_id, name, description, category, tags, status)
       SELECT $1, 'com.backup.app' || g, 'App ' || g, E'Café ☕ "quoted" \\\\ back\\tslash ' || g,
              CASE WHEN g % 2 = 0 THEN 'tools' END, ARRAY['tag' || g, 'shared'], 'published'
         FROM generate_series(1, 5) g
       RETURNING id`,
      [developerId],
    );
    for (const [i, app] of apps.entries()) {
      await client.query(
        `INSERT INTO app_versions (app_id, version_code, version_name, package_url, package_size, package_sha256,
                                   signature, signing_key_id, permissions, release_notes, status, published_at)
         VALUES ($1, 1, '1.0.' || $2::text, 'https://cdn.example/p.mpk', 1024, repeat('cd', 32), 'c2ln', $3,
                 '["network", "storage"]', NULL, 'published', now())`,
        [app.id, i, key.id],
      );
    }
    // One month with its own partition, one falling into the default partition.
    await client.query(
      `CREATE TABLE telemetry_events_y2099m01 PARTITION OF telemetry_events FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')`,
    );
    await client.query(
      `INSERT INTO telemetry_events (app_id, device_id, event_type, event_data, mosis_version, event_id, "timestamp")
       SELECT $1, md5(g::text) || md5((g % 7)::text), 'screen_view', jsonb_build_object('screen', 'home', 'n', g),
              CASE WHEN g % 3 = 0 THEN '1.2.3' END, 'evt-' || g,
              CASE WHEN g % 2 = 0 THEN timestamptz '2099-01-15' ELSE timestamptz '2001-03-01' END + g * interval '1 second'
         FROM generate_series(1, 400) g`,
      [apps[0].id],
    );
    await client.query(
      `INSERT INTO crash_reports (app_id, app_version, device_id, crash_type, message, stack_trace, context, fingerprint, "timestamp")
       SELECT $1, '1.0.0', md5(g::text) || md5(g::text), 'NullPointer', 'boom ' || g, E'at a\\nat b', '{"ram": 512}',
              repeat('ef', 32), timestamptz '2024-05-01' + g * interval '1 minute'
         FROM generate_series(1, 50) g`,
      [apps[1].id],
    );
    await client.query(
      `INSERT INTO telemetry_daily (app_id, date, event_type, count, unique_devices)
       SELECT $1, date '2024-01-01' + g, 'screen_view', g * 10, g FROM generate_series(1, 30) g`,
      [apps[0].id],
    );
    await client.query(
      `INSERT INTO audit_logs (actor_id, action, target_type, target_id, metadata, ip)
       SELECT $1, 'backup.test', 'app', g::text, jsonb_build_object('g', g), '10.0.0.1'::inet FROM generate_series(1, 100) g`,
      [developerId],
    );
  });
}

let server: TestServer;
let workDir: string;
let backupFile: string;
const emptyDatabases: TestDatabase[] = [];

const emptyDatabase = async () => {
  const database = await createTestDatabase({ empty: true });
  emptyDatabases.push(database);
  return database;
};

beforeAll(async () => {
  server = await startTestServer();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-backup-'));
  fs.chmodSync(workDir, 0o755); // the embedded server's OS user must reach DATA_DIR inside
  backupFile = path.join(workDir, 'populated.dump');

  const owner = await signUp(server);
  await signUp(server);
  await createApiKey(server, owner.token, ['apps:read', 'telemetry:write'], { name: 'ci key' });
  await createApiKey(server, owner.token, ['apps:read'], { expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
  await populateDirectly(server.database.url, owner.id);
});

afterAll(async () => {
  await server.close();
  for (const database of emptyDatabases) await database.drop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

it('round-trips a populated database through backup and restore: every table identical', async () => {
  const backup = await mosis(['backup', backupFile], { DATABASE_URL: server.database.url });
  expect(backup.output).toMatch(/\[\d+\/\d+\] public\.developers/); // progress, table by table
  expect(backup.output).toContain('backup written');
  expect(backup.code).toBe(0);

  const target = await emptyDatabase();
  const restore = await mosis(['restore', backupFile], { DATABASE_URL: target.url });
  expect(restore.output).toMatch(/\[\d+\/\d+\] processing data for table "public\.audit_logs"/);
  expect(restore.code).toBe(0);

  const original = await fingerprint(server.database.url);
  expect(Object.keys(original)).toEqual(
    expect.arrayContaining(['developers', 'api_keys', 'apps', 'app_versions', 'signing_keys', 'telemetry_events_default',
      'telemetry_events_y2099m01', 'crash_reports', 'telemetry_daily', 'audit_logs', 'sessions', 'migrations']),
  );
  expect(original.telemetry_events_y2099m01).toMatch(/^200 rows/);
  expect(await fingerprint(target.url)).toEqual(original);

  // The audit trail's protection came back with it.
  await withClient(target.url, async (client) => {
    await expect(client.query('DELETE FROM audit_logs')).rejects.toThrow(/append-only/);
  });
});

it('refuses to restore into a database that is not empty, and says how to get an empty one', async () => {
  const before = await fingerprint(server.database.url);
  const result = await mosis(['restore', backupFile], { DATABASE_URL: server.database.url });
  expect(result.code).toBe(1);
  expect(result.output).toContain('is not empty');
  expect(result.output).toContain('CREATE DATABASE mosis_restored TEMPLATE template0');
  expect(result.output).toContain('DATA_DIR=');
  expect(await fingerprint(server.database.url)).toEqual(before);
});

it('works on the embedded server: restore into a fresh DATA_DIR, back it up again, same content', async () => {
  const embedded = {
    DATABASE_URL: undefined,
    DATA_DIR: path.join(workDir, 'embedded'),
    EMBEDDED_PG_PORT: String(await freePort()),
  };
  const restore = await mosis(['restore', backupFile], embedded);
  expect(restore.output).toContain('restored');
  expect(restore.code).toBe(0);

  const again = path.join(workDir, 'from-embedded.dump');
  const backup = await mosis(['backup', again], embedded);
  expect(backup.code).toBe(0);
  // The CLI started the embedded server, so it stopped it again.
  expect(fs.existsSync(path.join(embedded.DATA_DIR, 'pg', 'postmaster.pid'))).toBe(false);

  const target = await emptyDatabase();
  expect((await mosis(['restore', again], { DATABASE_URL: target.url })).code).toBe(0);
  expect(await fingerprint(target.url)).toEqual(await fingerprint(server.database.url));
});

it('explains a missing pg_dump and what to install', async () => {
  const file = path.join(workDir, 'never.dump');
  const result = await mosis(['backup', file], { DATABASE_URL: server.database.url, PG_BIN_DIR: '/nonexistent', PATH: '' });
  expect(result.code).toBe(1);
  expect(result.output).toContain('pg_dump was not found in PG_BIN_DIR=/nonexistent');
  expect(result.output).toMatch(/apt-get install postgresql-client-1\d/);
  expect(fs.existsSync(file)).toBe(false);
});

it('refuses a pg_dump older than the server, naming both versions', async () => {
  const fakeBin = path.join(workDir, 'old-bin');
  fs.mkdirSync(fakeBin);
  fs.writeFileSync(path.join(fakeBin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', { mode: 0o755 });
  const file = path.join(workDir, 'never.dump');
  const result = await mosis(['backup', file], { DATABASE_URL: server.database.url, PG_BIN_DIR: fakeBin });
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/pg_dump 1\d or newer is needed/);
  expect(result.output).toContain('is version 9.6');
  expect(result.output).toMatch(/apt-get install postgresql-client-1\d/);
  expect(fs.existsSync(file)).toBe(false);
});

it('never overwrites an existing file, and explains a file that is not a backup', async () => {
  const existing = path.join(workDir, 'existing.dump');
  fs.writeFileSync(existing, 'keep me');
  const backup = await mosis(['backup', existing], { DATABASE_URL: server.database.url });
  expect(backup.code).toBe(1);
  expect(backup.output).toContain('already exists');
  expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');

  const target = await emptyDatabase();
  const restore = await mosis(['restore', existing], { DATABASE_URL: target.url });
  expect(restore.code).toBe(1);
  expect(restore.output).toContain('mosis backup');
  expect(restore.output).toContain('cannot read');
});
