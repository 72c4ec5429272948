import { createServices } from '../src/services';
import { crashReport, daysAgo, ingester, insertApp, post, rollupsBesideRawEvents, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

// Ingestion leaves out the device keys a process has seen committed in their device sets. Here a
// process remembers at most 40 keys per set, so in every test that memo fills, lets repeated keys
// skip their insert, and starts over, many times.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ TELEMETRY_DEVICE_MEMO_KEYS: '40' });
});
afterAll(() => server.close());

const DAILY = `query ($appId: ID!, $from: Date!, $to: Date!) {
  telemetryDaily(appId: $appId, from: $from, to: $to) { date eventType count uniqueDevices }
}`;
const HEALTH = `query ($appId: ID!, $from: Date!, $to: Date!) {
  versionHealth(appId: $appId, from: $from, to: $to) { date appVersion activeDevices crashedDevices }
}`;
const day = (n: number) => daysAgo(n).slice(0, 10);

async function expectExactRollups(appIds: string[]): Promise<void> {
  const { daily, dailyFromRaw, versions, versionsFromRaw } = await rollupsBesideRawEvents(server.db, appIds);
  expect(daily.length).toBeGreaterThan(0);
  expect(daily).toEqual(dailyFromRaw);
  expect(versions).toEqual(versionsFromRaw);
}

/** Batch `b` of `size` events from 31 devices over two days, three event types and two app versions: keys repeat across batches. */
function batchOf(appId: string, b: number, size: number): Record<string, unknown>[] {
  return Array.from({ length: size }, (_, i) => {
    const device = (b * 7 + i * 11) % 31;
    return telemetryEvent(appId, {
      deviceId: `device-${device}`,
      eventType: ['app_open', 'screen_view', 'purchase'][(b + i) % 3],
      appVersion: ['1.0.0', '1.1.0'][device % 2],
      timestamp: daysAgo(Math.floor(i / 4) % 2, 1 + (i % 20)),
      eventId: `b${b}-e${i}`,
    });
  });
}

it('counts each device once per day, event type and app version while the memo fills, skips and starts over', async () => {
  const { appId, key } = await ingester(server);
  for (let b = 0; b < 12; b++) {
    expect(await post(server, '/v1/telemetry', key, batchOf(appId, b, 50))).toMatchObject({ status: 202, body: { accepted: 50 } });
  }
  await expectExactRollups([appId]);

  const { dailyFromRaw, versionsFromRaw } = await rollupsBesideRawEvents(server.db, [appId]);
  const daily = await server.graphql(DAILY, { appId, from: day(1), to: day(0) }, key);
  expect(daily.data.telemetryDaily).toEqual(
    dailyFromRaw.map((r: any) => ({ date: r.date, eventType: r.event_type, count: r.count, uniqueDevices: r.unique_devices })),
  );
  const health = await server.graphql(HEALTH, { appId, from: day(1), to: day(0) }, key);
  expect(health.data.versionHealth).toEqual(
    versionsFromRaw.map((r: any) => ({ date: r.date, appVersion: r.app_version, activeDevices: r.active, crashedDevices: r.crashed })),
  );
  // Keys did repeat: 600 events, at most 31 devices × 2 days × 3 types keys.
  expect(dailyFromRaw.reduce((sum: number, r: any) => sum + r.unique_devices, 0)).toBeLessThanOrEqual(186);
  expect(versionsFromRaw).toHaveLength(4);
});

it('stays exact with concurrent batches, racing retries, crash reports and a second server process with its own memo', async () => {
  const { appId, key } = await ingester(server);
  // Another process on the same database: its own services, so its own memo.
  const other = createServices(server.db, server.config);
  const principal = (await other.auth.authenticate(`Bearer ${key}`))!;
  const viaOther = async (batch: Record<string, unknown>[]) => {
    const { accepted, duplicates } = await other.telemetry.ingest(principal, batch, () => undefined);
    return { status: 202, body: { accepted, duplicates } };
  };
  const batches = Array.from({ length: 16 }, (_, b) => batchOf(appId, b, 40));
  const crashes = Array.from({ length: 4 }, (_, c) =>
    Array.from({ length: 5 }, (_, i) =>
      crashReport(appId, { deviceId: `device-${(c * 5 + i) * 3}`, appVersion: '1.0.0', timestamp: daysAgo(i % 2, 2), eventId: `c${c}-${i}` }),
    ),
  );
  // Each batch goes to one process and, at the same time, its retry to the other.
  const responses = await Promise.all([
    ...batches.flatMap((batch, b) =>
      b % 2 ? [post(server, '/v1/telemetry', key, batch), viaOther(batch)] : [viaOther(batch), post(server, '/v1/telemetry', key, batch)],
    ),
    ...crashes.map((batch) => post(server, '/v1/crashes', key, batch)),
  ]);
  expect(new Set(responses.map((r) => r.status))).toEqual(new Set([202]));
  // Later batches from both processes repeat the keys each has seen, and those the other has.
  for (let b = 16; b < 24; b++) {
    const batch = batchOf(appId, b, 40);
    expect((b % 2 ? await viaOther(batch) : await post(server, '/v1/telemetry', key, batch)).body).toEqual({ accepted: 40, duplicates: 0 });
  }
  await expectExactRollups([appId]);
  const { versions } = await rollupsBesideRawEvents(server.db, [appId]);
  expect(versions.some((r: any) => r.crashed > 0)).toBe(true);
});

it('learns nothing from a batch whose transaction fails at COMMIT: re-sent, its devices count', async () => {
  const { appId, key } = await ingester(server);
  const at = daysAgo(0, 1);
  const batch = [
    telemetryEvent(appId, { deviceId: 'a', appVersion: '2.0.0', timestamp: at }),
    telemetryEvent(appId, { deviceId: 'b', appVersion: '2.0.0', timestamp: at }),
  ];
  // A deferred constraint trigger fails this app's transactions at COMMIT, after the device keys
  // and rollups were written: the whole batch is rolled back.
  await server.db.query(`CREATE FUNCTION test_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused at commit by the test'; END $$`);
  await server.db.query(`CREATE CONSTRAINT TRIGGER test_refuse_commit AFTER INSERT OR UPDATE ON telemetry_daily
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.app_id = '${appId}') EXECUTE FUNCTION test_refuse_commit()`);
  try {
    expect((await post(server, '/v1/telemetry', key, batch)).status).toBe(500);
  } finally {
    await server.db.query(`DROP TRIGGER test_refuse_commit ON telemetry_daily`);
    await server.db.query(`DROP FUNCTION test_refuse_commit()`);
  }
  const [{ stored }] = await server.db.query(`SELECT count(*)::int AS stored FROM telemetry_events WHERE app_id = $1`, [appId]);
  expect(stored).toBe(0);

  expect(await post(server, '/v1/telemetry', key, batch)).toEqual({ status: 202, body: { accepted: 2, duplicates: 0 } });
  const daily = await server.graphql(DAILY, { appId, from: day(0), to: day(0) }, key);
  expect(daily.data.telemetryDaily).toEqual([{ date: day(0), eventType: 'app_open', count: 2, uniqueDevices: 2 }]);
  const health = await server.graphql(HEALTH, { appId, from: day(0), to: day(0) }, key);
  expect(health.data.versionHealth).toEqual([{ date: day(0), appVersion: '2.0.0', activeDevices: 2, crashedDevices: 0 }]);
});

it('keeps apart keys that differ only by app, day, or by being an app version rather than an event type', async () => {
  const first = await ingester(server);
  const secondApp = await insertApp(server.db, first.developer.id);
  const send = async (appId: string, overrides: Record<string, unknown>) =>
    expect((await post(server, '/v1/telemetry', first.key, [telemetryEvent(appId, { deviceId: 'same', ...overrides })])).status).toBe(202);
  // An event type and an app version both named "beta", on one app and day.
  await send(first.appId, { eventType: 'beta', timestamp: daysAgo(0, 1) });
  await send(first.appId, { eventType: 'app_open', appVersion: 'beta', timestamp: daysAgo(0, 1) });
  // The same device, type and version on another day, and in another app.
  await send(first.appId, { eventType: 'beta', appVersion: 'beta', timestamp: daysAgo(1, 1) });
  await send(secondApp, { eventType: 'beta', appVersion: 'beta', timestamp: daysAgo(0, 1) });

  const daily = async (appId: string) => (await server.graphql(DAILY, { appId, from: day(1), to: day(0) }, first.key)).data.telemetryDaily;
  const health = async (appId: string) => (await server.graphql(HEALTH, { appId, from: day(1), to: day(0) }, first.key)).data.versionHealth;
  expect(await daily(first.appId)).toEqual([
    { date: day(1), eventType: 'beta', count: 1, uniqueDevices: 1 },
    { date: day(0), eventType: 'app_open', count: 1, uniqueDevices: 1 },
    { date: day(0), eventType: 'beta', count: 1, uniqueDevices: 1 },
  ]);
  expect(await health(first.appId)).toEqual([
    { date: day(1), appVersion: 'beta', activeDevices: 1, crashedDevices: 0 },
    { date: day(0), appVersion: 'beta', activeDevices: 1, crashedDevices: 0 },
  ]);
  expect(await daily(secondApp)).toEqual([{ date: day(0), eventType: 'beta', count: 1, uniqueDevices: 1 }]);
  expect(await health(secondApp)).toEqual([{ date: day(0), appVersion: 'beta', activeDevices: 1, crashedDevices: 0 }]);
});
