import { PartitionManager } from '../src/telemetry/partitions';
import { spawnNode } from './helpers/processes';
import { ingester, type Ingester, post, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

// A long retention here, so events from years ago can be ingested and then expired by a shorter one.
let server: TestServer;
let sender: Ingester;
beforeAll(async () => {
  server = await startTestServer({ TELEMETRY_RETENTION_DAYS: '3650' });
  sender = await ingester(server);
});
afterAll(() => server.close());

/** The 15th of the month `offset` months from now, at noon UTC. */
function midMonth(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 15, 12));
}

const suffix = (date: Date) => `y${date.getUTCFullYear()}m${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
const monthOf = (date: Date) => ({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 });

async function exists(table: string): Promise<boolean> {
  const [{ found }] = await server.db.query(`SELECT to_regclass($1) IS NOT NULL AS found`, [table]);
  return found;
}

async function partitionOf(eventId: string): Promise<string> {
  const [row] = await server.db.query(`SELECT tableoid::regclass::text AS partition FROM telemetry_events WHERE event_id = $1`, [eventId]);
  return row?.partition;
}

it('stores events for a month that has no partition yet, creating it (and its device-set partition) on demand', async () => {
  const at = midMonth(-2);
  expect(await exists(`telemetry_events_${suffix(at)}`)).toBe(false);
  const event = telemetryEvent(sender.appId, { timestamp: at.toISOString() });
  expect(await post(server, '/v1/telemetry', sender.key, [event])).toEqual({ status: 202, body: { accepted: 1, duplicates: 0 } });
  expect(await partitionOf(event.eventId as string)).toBe(`telemetry_events_${suffix(at)}`);
  expect(await exists(`telemetry_daily_devices_${suffix(at)}`)).toBe(true);
});

it('creates a month once when concurrent batches and another process all need it', async () => {
  const at = midMonth(-1);
  const otherProcess = new PartitionManager(server.db, { retentionDays: 3650, partitionsAhead: 3 });
  const batches = Array.from({ length: 6 }, () => [telemetryEvent(sender.appId, { timestamp: at.toISOString() })]);
  const [created, ...responses] = await Promise.all([
    otherProcess.ensureMonths([monthOf(at)]),
    ...batches.map((batch) => post(server, '/v1/telemetry', sender.key, batch)),
  ]);
  expect(responses.map((r) => r.status)).toEqual(Array(6).fill(202));
  expect(created.length === 0 || created.length === 3).toBe(true);
  for (const batch of batches) expect(await partitionOf(batch[0].eventId as string)).toBe(`telemetry_events_${suffix(at)}`);
});

it('moves rows the default partition holds for a month into that month\'s new partition', async () => {
  const at = midMonth(5);
  await server.db.query(
    `INSERT INTO telemetry_events (app_id, device_id, event_type, event_id, "timestamp") VALUES ($1, repeat('a', 64), 'stray', 'stray-1', $2)`,
    [sender.appId, at.toISOString()],
  );
  expect(await partitionOf('stray-1')).toBe('telemetry_events_default');
  const manager = new PartitionManager(server.db, { retentionDays: 3650, partitionsAhead: 3 });
  expect(await manager.ensureMonths([monthOf(at), monthOf(at)])).toEqual([
    `telemetry_events_${suffix(at)}`,
    `telemetry_daily_devices_${suffix(at)}`,
    `version_daily_devices_${suffix(at)}`,
  ]);
  expect(await partitionOf('stray-1')).toBe(`telemetry_events_${suffix(at)}`);
});

it('maintenance creates the current month and the configured months ahead, once', async () => {
  const manager = new PartitionManager(server.db, { retentionDays: 3650, partitionsAhead: 3 });
  await manager.maintain();
  for (let offset = 0; offset <= 3; offset++) {
    expect(await exists(`telemetry_events_${suffix(midMonth(offset))}`)).toBe(true);
    expect(await exists(`telemetry_daily_devices_${suffix(midMonth(offset))}`)).toBe(true);
  }
  expect((await manager.maintain()).created).toEqual([]);
});

it('`npx mosis partitions` drops expired partitions and expired default rows, and keeps the rollups', async () => {
  const old = midMonth(-24);
  const recent = new Date(Date.now() - 3600_000);
  await post(server, '/v1/telemetry', sender.key, [
    telemetryEvent(sender.appId, { timestamp: old.toISOString(), deviceId: 'old-1' }),
    telemetryEvent(sender.appId, { timestamp: old.toISOString(), deviceId: 'old-2' }),
    telemetryEvent(sender.appId, { timestamp: recent.toISOString() }),
  ]);
  expect(await exists(`telemetry_events_${suffix(old)}`)).toBe(true);
  // An expired row that never got a partition of its own.
  const older = midMonth(-30);
  await server.db.query(
    `INSERT INTO telemetry_events_default (app_id, device_id, event_type, "timestamp") VALUES ($1, repeat('b', 64), 'stray', $2)`,
    [sender.appId, older.toISOString()],
  );
  const rollups = `SELECT to_char(date, 'YYYY-MM-DD') AS date, count::int, unique_devices::int FROM telemetry_daily WHERE app_id = $1 ORDER BY date`;
  const before = await server.db.query(rollups, [sender.appId]);
  expect(before[0]).toEqual({ date: old.toISOString().slice(0, 10), count: 2, unique_devices: 2 });

  const run = spawnNode('bin/mosis.js', ['partitions'], { DATABASE_URL: server.database.url, TELEMETRY_RETENTION_DAYS: '90' });
  expect(await run.exited).toEqual({ code: 0, signal: null });
  expect(run.output()).toContain(`dropped telemetry_events_${suffix(old)}`);
  expect(run.output()).toContain(`dropped telemetry_daily_devices_${suffix(old)}`);
  expect(run.output()).toContain('deleted 1 expired rows from the default partitions');

  expect(await exists(`telemetry_events_${suffix(old)}`)).toBe(false);
  expect(await exists(`telemetry_daily_devices_${suffix(old)}`)).toBe(false);
  const [{ remaining }] = await server.db.query(
    `SELECT count(*)::int AS remaining FROM telemetry_events WHERE "timestamp" < now() - interval '90 days'`,
  );
  expect(remaining).toBe(0);
  expect(await exists(`telemetry_events_${suffix(recent)}`)).toBe(true);
  expect(await server.db.query(rollups, [sender.appId])).toEqual(before);
});
