import { createApiKey, signUp } from './helpers/factories';
import { daysAgo, insertApp, post, rollupsBesideRawEvents, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it('equals a GROUP BY over raw events after concurrent ingestion with overlapping devices and racing retries', async () => {
  const developer = await signUp(server);
  const apps = [await insertApp(server.db, developer.id), await insertApp(server.db, developer.id)];
  const { secret } = await createApiKey(server, developer.token, ['telemetry:write']);
  const next = random(20_251_125);
  const pick = <T>(values: T[]) => values[Math.floor(next() * values.length)];

  const CLIENTS = 8;
  const BATCHES = 5;
  const batches = Array.from({ length: CLIENTS * BATCHES }, (_, b) =>
    Array.from({ length: 200 }, (_, i) =>
      telemetryEvent(pick(apps), {
        deviceId: `device-${Math.floor(next() * 60)}`,
        eventType: pick(['app_open', 'screen_view', 'purchase']),
        // Two days around a UTC midnight, so device sets of neighbouring days interleave.
        timestamp: new Date(Date.parse(daysAgo(2, 0)) + Math.floor((next() - 0.5) * 2 * 86_400_000)).toISOString(),
        // One event in five has no eventId: never a duplicate, even when its batch is re-sent.
        eventId: next() < 0.2 ? undefined : `b${b}-e${i}`,
      }),
    ),
  );
  // Each client starts with the next client's first batch, racing its owner's send of it (a
  // retry racing the original), sends its own batches, then re-sends its first (a retry after a
  // lost response).
  const plans = Array.from({ length: CLIENTS }, (_, c) => [
    batches[((c + 1) % CLIENTS) * BATCHES],
    ...batches.slice(c * BATCHES, (c + 1) * BATCHES),
    batches[c * BATCHES],
  ]);
  const results = await Promise.all(
    plans.map(async (plan) => {
      const responses = [];
      for (const batch of plan) {
        const response = await post(server, '/v1/telemetry', secret, batch);
        expect(response.status).toBe(202);
        responses.push(response.body as { accepted: number; duplicates: number });
      }
      return responses;
    }),
  );

  const all = results.flat();
  const sent = plans.flat().reduce((n, batch) => n + batch.length, 0);
  const accepted = all.reduce((n, r) => n + r.accepted, 0);
  expect(accepted + all.reduce((n, r) => n + r.duplicates, 0)).toBe(sent);
  const distinct = new Set(batches.flat().map((e, i) => e.eventId ?? `no-id-${i}`)).size;
  const resentWithoutId = plans.flatMap((plan) => [plan[0], plan[BATCHES + 1]]).flat().filter((e) => e.eventId === undefined).length;
  expect(accepted).toBe(distinct + resentWithoutId);

  const [{ stored }] = await server.db.query(`SELECT count(*)::int AS stored FROM telemetry_events WHERE app_id = ANY($1)`, [apps]);
  expect(stored).toBe(accepted);
  const { daily, dailyFromRaw } = await rollupsBesideRawEvents(server.db, apps);
  expect(daily.length).toBeGreaterThan(6);
  expect(daily).toEqual(dailyFromRaw);
});

it('updates rollups incrementally: a later batch adds to the day without recounting devices it already has', async () => {
  const developer = await signUp(server);
  const appId = await insertApp(server.db, developer.id);
  const { secret } = await createApiKey(server, developer.token, ['telemetry:write']);
  const at = daysAgo(1);
  await post(server, '/v1/telemetry', secret, [
    telemetryEvent(appId, { deviceId: 'a', timestamp: at }),
    telemetryEvent(appId, { deviceId: 'b', timestamp: at }),
  ]);
  await post(server, '/v1/telemetry', secret, [
    telemetryEvent(appId, { deviceId: 'a', timestamp: at }),
    telemetryEvent(appId, { deviceId: 'c', timestamp: at }),
  ]);
  expect((await rollupsBesideRawEvents(server.db, [appId])).daily).toEqual([
    { app_id: appId, date: at.slice(0, 10), event_type: 'app_open', count: 4, unique_devices: 3 },
  ]);
});
