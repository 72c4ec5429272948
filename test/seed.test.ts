import { createPublicKey, verify } from 'node:crypto';
import { SCOPES } from '../src/auth/scopes';
import { SCALES } from '../src/seed/scales';
import { signedMessage } from '../src/versions/app-version.service';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { fingerprint, withClient } from './helpers/fingerprint';
import { spawnNode } from './helpers/processes';

/**
 * `npx mosis seed --scale small` as a developer runs it, into empty databases: the volumes of the
 * scale, the project's invariants, rollups equal to a brute-force GROUP BY over the events,
 * skew, real signatures, the same rows on every run, and a refusal to touch a database with data.
 */
jest.setTimeout(300_000);

const UNTIL = '2026-11-01';
const small = SCALES.small;

const mosis = async (args: string[], databaseUrl: string) => {
  const run = spawnNode('bin/mosis.js', args, { DATABASE_URL: databaseUrl });
  const { code } = await run.exited;
  return { code, output: run.output() };
};

const count = (url: string, sql: string, params: unknown[] = []) =>
  withClient(url, async (client) => Number((await client.query(sql, params)).rows[0].n));

let first: TestDatabase;
let second: TestDatabase;
beforeAll(async () => {
  [first, second] = await Promise.all([createTestDatabase({ empty: true }), createTestDatabase({ empty: true })]);
  const seeded = await mosis(['seed', '--scale', 'small', '--until', UNTIL], first.url);
  expect(seeded.output).toContain('seeded in');
  expect(seeded.code).toBe(0);
});
afterAll(() => Promise.all([first.drop(), second.drop()]));

it('writes the volumes of the scale, telemetry in the 90 days before --until', async () => {
  const expected = {
    developers: small.developers, apps: small.apps, app_versions: small.versions, telemetry_events: small.telemetryEvents,
    api_keys: small.apiKeys, crash_reports: small.crashReports, audit_logs: small.auditLogs,
  };
  for (const [table, rows] of Object.entries(expected)) {
    expect([table, await count(first.url, `SELECT count(*) AS n FROM ${table}`)]).toEqual([table, rows]);
  }
  const outside = await count(first.url, `SELECT count(*) AS n FROM telemetry_events
     WHERE "timestamp" < $1::date - 90 OR "timestamp" >= $1::date`, [UNTIL]);
  expect(outside).toBe(0);
  expect(await count(first.url, `SELECT count(*) AS n FROM telemetry_events_default`)).toBe(0);
});

it('keeps the invariants the API keeps', async () => {
  const violations = {
    'published app without a published version': `SELECT count(*) AS n FROM apps a WHERE a.status = 'published'
       AND NOT EXISTS (SELECT 1 FROM app_versions v WHERE v.app_id = a.id AND v.status = 'published')`,
    'draft app with a published version': `SELECT count(*) AS n FROM apps a WHERE a.status = 'draft'
       AND EXISTS (SELECT 1 FROM app_versions v WHERE v.app_id = a.id AND v.status = 'published')`,
    'published_at set exactly on published versions': `SELECT count(*) AS n FROM app_versions WHERE (status = 'published') <> (published_at IS NOT NULL)`,
    'version signed with another developer\'s key': `SELECT count(*) AS n FROM app_versions v JOIN apps a ON a.id = v.app_id
       JOIN signing_keys k ON k.id = v.signing_key_id WHERE k.developer_id <> a.developer_id OR NOT k.is_active`,
    'digest not 64 hex': `SELECT count(*) AS n FROM app_versions WHERE package_sha256 !~ '^[0-9a-f]{64}$'`,
    'package id not reverse-DNS': `SELECT count(*) AS n FROM apps WHERE package_id !~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'`,
    'unknown scope': `SELECT count(*) AS n FROM api_keys k WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(k.permissions) p
       WHERE p <> ALL ('{${SCOPES.join(',')}}'::text[]))`,
    'admin or reviewer with the documented seed password': `SELECT count(*) AS n FROM developers WHERE role <> 'developer' AND password_hash IS NOT NULL`,
    'suspended app without a reason': `SELECT count(*) AS n FROM apps WHERE (status = 'suspended') <> (suspended_reason IS NOT NULL)`,
    'timestamp finer than a millisecond': `SELECT count(*) AS n FROM telemetry_events WHERE "timestamp" <> date_trunc('milliseconds', "timestamp")`,
    'event of an unpublished app': `SELECT count(*) AS n FROM telemetry_events e JOIN apps a ON a.id = e.app_id WHERE a.status <> 'published'`,
    'crash report without its group': `SELECT count(*) AS n FROM crash_reports c
       WHERE NOT EXISTS (SELECT 1 FROM crash_groups g WHERE g.app_id = c.app_id AND g.fingerprint = c.fingerprint)`,
    'crash group without a report': `SELECT count(*) AS n FROM crash_groups g
       WHERE NOT EXISTS (SELECT 1 FROM crash_reports c WHERE g.app_id = c.app_id AND g.fingerprint = c.fingerprint)`,
    'crash report naming an unpublished version': `SELECT count(*) AS n FROM crash_reports c WHERE NOT EXISTS
       (SELECT 1 FROM app_versions v WHERE v.app_id = c.app_id AND v.version_name = c.app_version AND v.status = 'published')`,
  };
  for (const [invariant, sql] of Object.entries(violations)) {
    expect([invariant, await count(first.url, sql)]).toEqual([invariant, 0]);
  }
});

it('has rollups and device sets exactly equal to a GROUP BY over the events', async () => {
  const differing = await count(first.url, `
    SELECT count(*) AS n
      FROM (SELECT app_id, ("timestamp" AT TIME ZONE 'UTC')::date AS date, event_type, count(*) AS events,
                   count(DISTINCT device_id) AS devices
              FROM telemetry_events GROUP BY 1, 2, 3) e
      FULL JOIN telemetry_daily d USING (app_id, date, event_type)
     WHERE e.events IS DISTINCT FROM d.count OR e.devices IS DISTINCT FROM d.unique_devices`);
  expect(differing).toBe(0);
  const deviceSets = await count(first.url, `
    SELECT count(*) AS n
      FROM (SELECT DISTINCT app_id, ("timestamp" AT TIME ZONE 'UTC')::date AS date, event_type, decode(device_id, 'hex') AS device_hash
              FROM telemetry_events) e
      FULL JOIN telemetry_daily_devices s USING (app_id, date, event_type, device_hash)
     WHERE e.app_id IS NULL OR s.app_id IS NULL`);
  expect(deviceSets).toBe(0);
  expect(await count(first.url, `SELECT count(*) AS n FROM telemetry_daily`)).toBeGreaterThan(1000);
});

it('is skewed like a real store: a few busy apps and developers', async () => {
  const busiestShare = await count(first.url, `
    SELECT max(n)::float / sum(n) * 100 AS n FROM (SELECT count(*) AS n FROM telemetry_events GROUP BY app_id) t`);
  expect(busiestShare).toBeGreaterThan(5);
  const [top, median] = await withClient(first.url, async (client) => {
    const { rows } = await client.query(`
      SELECT max(n) AS top, percentile_disc(0.5) WITHIN GROUP (ORDER BY n) AS median
        FROM (SELECT count(*) AS n FROM apps GROUP BY developer_id) t`);
    return [Number(rows[0].top), Number(rows[0].median)];
  });
  expect(top).toBeGreaterThan(10 * median);
});

it('signs every package with its developer\'s key, verifiable as the API verifies uploads', async () => {
  await withClient(first.url, async (client) => {
    const { rows } = await client.query(`
      SELECT a.package_id, v.version_code, v.package_sha256, v.signature, k.public_key
        FROM app_versions v JOIN apps a ON a.id = v.app_id JOIN signing_keys k ON k.id = v.signing_key_id
       ORDER BY v.id LIMIT 50`);
    for (const r of rows) {
      const message = Buffer.from(signedMessage(r.package_id, r.version_code, r.package_sha256));
      expect(verify(null, message, createPublicKey(r.public_key), Buffer.from(r.signature, 'base64'))).toBe(true);
    }
  });
});

it('writes the same rows on every run, and refuses a database with data unless --force', async () => {
  const again = await mosis(['seed', '--scale', 'small', '--until', UNTIL], second.url);
  expect(again.code).toBe(0);
  const expected = await fingerprint(first.url);
  expect(await fingerprint(second.url)).toEqual(expected);

  const refused = await mosis(['seed', '--scale', 'small', '--until', '2026-10-01'], second.url);
  expect(refused.code).toBe(1);
  expect(refused.output).toContain('already holds data');
  expect(refused.output).toContain('--force');
  expect(await fingerprint(second.url)).toEqual(expected);

  const forced = await mosis(['seed', '--scale', 'small', '--until', '2026-10-01', '--force'], second.url);
  expect(forced.code).toBe(0);
  const refilled = await fingerprint(second.url);
  expect(refilled.developers).toMatch(new RegExp(`^${small.developers} rows`));
  expect(refilled.developers).not.toEqual(expected.developers); // another --until, other rows
});

it('rejects a wrong command line before touching the database', async () => {
  const noScale = await mosis(['seed'], first.url);
  expect(noScale.code).toBe(2);
  expect(noScale.output).toContain("required option '--scale <scale>' not specified");
  const badScale = await mosis(['seed', '--scale', 'huge'], first.url);
  expect(badScale.code).toBe(2);
  expect(badScale.output).toContain('Allowed choices are small, seed, large');
  const badDay = await mosis(['seed', '--scale', 'small', '--until', '2026-02-30'], first.url);
  expect(badDay.code).toBe(2);
  expect(badDay.output).toContain('give a date as YYYY-MM-DD');
});
