import { randomBytes } from 'node:crypto';
import { createApiKey, signUp } from './helpers/factories';
import { crashReport, daysAgo, ingester, post, telemetryEvent } from './helpers/telemetry';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const HEALTH = `query ($appId: ID!, $from: Date!, $to: Date!) {
  versionHealth(appId: $appId, from: $from, to: $to) { date appVersion activeDevices crashedDevices crashFreeRate }
}`;

const health = (appId: string, token: string, from = daysAgo(3).slice(0, 10), to = daysAgo(0).slice(0, 10)) =>
  server.graphql(HEALTH, { appId, from, to }, token);

/** The same figures straight from the raw rows: what versionHealth must equal. */
async function bruteForce(appId: string) {
  return server.db.query(
    `WITH seen AS (
       SELECT app_version, ("timestamp" AT TIME ZONE 'UTC')::date AS date, device_id, false AS crashed
         FROM telemetry_events WHERE app_id = $1 AND app_version IS NOT NULL
       UNION ALL
       SELECT app_version, ("timestamp" AT TIME ZONE 'UTC')::date, device_id, true FROM crash_reports WHERE app_id = $1
     )
     SELECT to_char(date, 'YYYY-MM-DD') AS date, app_version AS "appVersion", count(DISTINCT device_id)::int AS "activeDevices",
            (count(DISTINCT device_id) FILTER (WHERE crashed))::int AS "crashedDevices"
       FROM seen GROUP BY 1, 2 ORDER BY 1, app_version COLLATE "C"`,
    [appId],
  );
}

it('counts distinct active and crashed devices per day and version exactly, with retries and concurrent batches', async () => {
  const { appId, key } = await ingester(server);
  const versions = ['1.0.0', '1.1.0', '2.0.0-beta'];
  const events: Record<string, unknown>[] = [];
  const crashes: Record<string, unknown>[] = [];
  for (let i = 0; i < 1500; i++) {
    const device = `device-${i % 97}`;
    const day = i % 3;
    events.push(telemetryEvent(appId, {
      deviceId: device,
      eventType: ['app_open', 'screen_view'][i % 2],
      // Some events name no version: they count for none.
      appVersion: i % 11 === 0 ? undefined : versions[Math.floor(i / 3) % 3],
      timestamp: daysAgo(day, 1 + (i % 20)),
      eventId: `evt-${i}`,
    }));
    if (i % 13 === 0) {
      crashes.push(crashReport(appId, { deviceId: `device-${i % 131}`, appVersion: versions[Math.floor(i / 3) % 3], timestamp: daysAgo(day, 2), eventId: `crash-${i}` }));
    }
  }
  const batches = (items: Record<string, unknown>[], size: number) =>
    Array.from({ length: Math.ceil(items.length / size) }, (_, b) => items.slice(b * size, (b + 1) * size));
  // Every batch twice (a retry of each), in parallel with crash batches, themselves retried.
  const uploads = [
    ...batches(events, 120).flatMap((batch) => [post(server, '/v1/telemetry', key, batch), post(server, '/v1/telemetry', key, batch)]),
    ...batches(crashes, 20).flatMap((batch) => [post(server, '/v1/crashes', key, batch), post(server, '/v1/crashes', key, batch)]),
  ];
  const responses = await Promise.all(uploads);
  expect(new Set(responses.map((r) => r.status))).toEqual(new Set([202]));
  // A retry of everything after the fact, and one with the batch order changed.
  await post(server, '/v1/telemetry', key, events.slice(0, 500).reverse());
  await post(server, '/v1/crashes', key, crashes.slice(0, 40));

  const result = await health(appId, key);
  expect(result.errors).toBeUndefined();
  const expected = await bruteForce(appId);
  expect(expected.length).toBe(9);
  expect(expected.some((row: any) => row.crashedDevices > 0 && row.crashedDevices < row.activeDevices)).toBe(true);
  expect(result.data.versionHealth.map(({ crashFreeRate: _rate, ...row }: any) => row)).toEqual(expected);
  for (const row of result.data.versionHealth) {
    expect(row.crashFreeRate).toBeCloseTo(1 - row.crashedDevices / row.activeDevices, 12);
  }
});

it('counts a crash report as an active device of its version, and a crash after events only as crashed', async () => {
  const { appId, key } = await ingester(server);
  const today = daysAgo(0, 0);
  await post(server, '/v1/telemetry', key, [telemetryEvent(appId, { deviceId: 'a', appVersion: '3.0', timestamp: today })]);
  await post(server, '/v1/crashes', key, [
    crashReport(appId, { deviceId: 'a', appVersion: '3.0', timestamp: today }),
    crashReport(appId, { deviceId: 'b', appVersion: '3.0', timestamp: today }),
    crashReport(appId, { deviceId: 'b', appVersion: '3.0', timestamp: today }),
  ]);
  const result = await health(appId, key, today.slice(0, 10), today.slice(0, 10));
  expect(result.data.versionHealth).toEqual([
    { date: today.slice(0, 10), appVersion: '3.0', activeDevices: 2, crashedDevices: 2, crashFreeRate: 0 },
  ]);
});

it('takes appVersion on telemetry events and checks it like the crash reports\' field', async () => {
  const { appId, key } = await ingester(server);
  const bad = await post(server, '/v1/telemetry', key, [
    telemetryEvent(appId, { appVersion: 'x'.repeat(21) }), telemetryEvent(appId, { appVersion: 7 }), telemetryEvent(appId, { appVersion: 'tab\there' }),
  ]);
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: any) => e.reason)).toEqual([
    'appVersion: must be at most 20 characters', 'appVersion: must be a string', 'appVersion: must not contain control characters',
  ]);
  const eventId = randomBytes(6).toString('hex');
  expect((await post(server, '/v1/telemetry', key, [telemetryEvent(appId, { appVersion: '4.2.0', eventId })])).status).toBe(202);
  const events = await server.graphql(
    `query ($appId: ID!, $from: DateTime!, $to: DateTime!) { telemetryEvents(appId: $appId, from: $from, to: $to) { edges { node { appVersion } } } }`,
    { appId, from: daysAgo(1), to: new Date().toISOString() }, key,
  );
  expect(events.data.telemetryEvents.edges).toEqual([{ node: { appVersion: '4.2.0' } }]);
});

it('is for the developer and admins with telemetry:read; range checked after authorization', async () => {
  const { appId, developer } = await ingester(server, 'published');
  const stranger = await signUp(server);
  expect(errorOf(await health(appId, stranger.token, '2025-01-02', '2025-01-01')).code).toBe('FORBIDDEN');
  const noRead = await createApiKey(server, developer.token, ['telemetry:write']);
  expect(errorOf(await health(appId, noRead.secret)).code).toBe('FORBIDDEN');
  expect(errorOf(await health(appId, developer.token, '2025-01-02', '2025-01-01'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  expect((await health(appId, developer.token)).data.versionHealth).toEqual([]);
});
