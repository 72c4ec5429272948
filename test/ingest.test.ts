import { createApiKey, signUp } from './helpers/factories';
import { crashReport, ingester, insertApp, post, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const storedEvents = async (appId: string): Promise<number> =>
  (await server.db.query(`SELECT count(*)::int AS n FROM telemetry_events WHERE app_id = $1`, [appId]))[0].n;

describe('POST /v1/telemetry', () => {
  it('stores a batch and answers 202 {accepted, duplicates} after commit', async () => {
    const { appId, key } = await ingester(server);
    const batch = [telemetryEvent(appId), telemetryEvent(appId, { eventData: undefined, mosisVersion: undefined, eventId: undefined })];
    const response = await post(server, '/v1/telemetry', key, batch);
    expect(response).toEqual({ status: 202, body: { accepted: 2, duplicates: 0 } });
    expect(await storedEvents(appId)).toBe(2);
  });

  it('counts a retried batch as duplicates and stores nothing twice', async () => {
    const { appId, key } = await ingester(server);
    const batch = [telemetryEvent(appId), telemetryEvent(appId), telemetryEvent(appId, { eventId: undefined })];
    expect((await post(server, '/v1/telemetry', key, batch)).body).toEqual({ accepted: 3, duplicates: 0 });
    // The retry repeats the two items with an eventId; the one without is a new event each time.
    expect((await post(server, '/v1/telemetry', key, batch)).body).toEqual({ accepted: 1, duplicates: 2 });
    expect(await storedEvents(appId)).toBe(4);
    const [daily] = await server.db.query(`SELECT count::int FROM telemetry_daily WHERE app_id = $1`, [appId]);
    expect(daily.count).toBe(4);
  });

  it('counts an eventId repeated inside one batch once, and rolls up only what was stored', async () => {
    const { appId, key } = await ingester(server);
    const twice = telemetryEvent(appId, { deviceId: 'twin' });
    expect((await post(server, '/v1/telemetry', key, [twice, telemetryEvent(appId), twice])).body).toEqual({ accepted: 2, duplicates: 1 });
    const [daily] = await server.db.query(`SELECT count::int, unique_devices::int FROM telemetry_daily WHERE app_id = $1`, [appId]);
    expect(daily).toEqual({ count: 2, unique_devices: 2 });
  });

  it('stores text exactly, whatever it holds: backslashes, tabs, newlines, quotes, non-ASCII', async () => {
    const { appId, key } = await ingester(server);
    const eventData = { path: 'C:\\temp\\new', text: 'tab\there\nnew line "quoted" \\N', emoji: 'café ☕ 𝄞', nested: { list: [1, null, true] } };
    const event = telemetryEvent(appId, { eventData, mosisVersion: '1.0\\beta', eventId: 'id\\with"quote' });
    expect((await post(server, '/v1/telemetry', key, [event])).status).toBe(202);
    const [row] = await server.db.query(
      `SELECT event_data, mosis_version, event_id FROM telemetry_events WHERE app_id = $1`, [appId],
    );
    expect(row).toEqual({ event_data: eventData, mosis_version: '1.0\\beta', event_id: 'id\\with"quote' });
    // Retrying it takes the other write path, which must see the same eventId.
    expect((await post(server, '/v1/telemetry', key, [event])).body).toEqual({ accepted: 0, duplicates: 1 });
  });

  it('refuses the whole batch when one item is bad, naming it, and stores nothing', async () => {
    const { appId, key } = await ingester(server);
    const batch = [telemetryEvent(appId), telemetryEvent(appId), telemetryEvent(appId, { eventType: '' }), telemetryEvent(appId)];
    const response = await post(server, '/v1/telemetry', key, batch);
    expect(response.status).toBe(400);
    expect(response.body.error).toContain('1 of 4 items are invalid');
    expect(response.body.errors).toEqual([{ index: 2, reason: 'eventType: must not be blank' }]);
    expect(await storedEvents(appId)).toBe(0);
  });

  it('reports every problem of every bad item', async () => {
    const { appId, key } = await ingester(server);
    const batch = [
      telemetryEvent(appId, { appId: 'not-a-uuid' }),
      telemetryEvent(appId),
      telemetryEvent(appId, { deviceId: 42, eventType: '9lives', device_id: 'x' }),
      telemetryEvent(appId, { timestamp: '2025-02-30T00:00:00Z' }),
      telemetryEvent(appId, { timestamp: new Date(Date.now() + 25 * 3600_000).toISOString() }),
      telemetryEvent(appId, { timestamp: '2020-01-01T00:00:00Z' }),
      telemetryEvent(appId, { timestamp: '2025-01-01T00:00:00' }),
      telemetryEvent(appId, { eventData: [1, 2] }),
      telemetryEvent(appId, { eventData: { text: 'nul \u0000 inside' } }),
      telemetryEvent(appId, { eventData: { blob: 'x'.repeat(40_000) } }),
      telemetryEvent(appId, { eventId: 'e'.repeat(65), mosisVersion: '1'.repeat(21) }),
      'not an object',
    ];
    const { status, body } = await post(server, '/v1/telemetry', key, batch);
    expect(status).toBe(400);
    const reasons = Object.fromEntries(body.errors.map((e: { index: number; reason: string }) => [e.index, e.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(reasons[0]).toBe('appId: must be a UUID');
    expect(reasons[2]).toContain('device_id: unknown field');
    expect(reasons[2]).toContain('deviceId: must be a string');
    expect(reasons[2]).toContain('eventType: must start with a letter');
    expect(reasons[3]).toContain('timestamp: must be an ISO-8601 date-time');
    expect(reasons[4]).toBe('timestamp: is more than 24 hours in the future');
    expect(reasons[5]).toContain('timestamp: is older than the 90-day retention window');
    expect(reasons[6]).toContain('timestamp: must be an ISO-8601 date-time with an offset');
    expect(reasons[7]).toBe('eventData: must be a JSON object');
    expect(reasons[8]).toContain('eventData: must not contain NUL');
    expect(reasons[9]).toContain('eventData: must be at most 32768 bytes');
    expect(reasons[10]).toContain('eventId: must be at most 64 characters');
    expect(reasons[10]).toContain('mosisVersion: must be at most 20 characters');
    expect(reasons[11]).toBe('must be a JSON object');
    expect(await storedEvents(appId)).toBe(0);
  });

  it('checks the appId of every item, also where it repeats or follows a valid one', async () => {
    const { appId, key } = await ingester(server);
    const batch = [
      telemetryEvent(appId, { appId: '' }),
      telemetryEvent(appId),
      telemetryEvent(appId, { appId: null }),
      telemetryEvent(appId, { appId: appId.toUpperCase() }),
      telemetryEvent(appId, { appId: `${appId}x` }),
      telemetryEvent(appId),
    ];
    const { status, body } = await post(server, '/v1/telemetry', key, batch);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { index: 0, reason: 'appId: must be a UUID' },
      { index: 2, reason: 'appId: is required' },
      { index: 4, reason: 'appId: must be a UUID' },
    ]);
    expect((await post(server, '/v1/telemetry', key, [telemetryEvent(appId), telemetryEvent(appId, { appId: appId.toUpperCase() })])).body)
      .toEqual({ accepted: 2, duplicates: 0 });
    expect(await storedEvents(appId)).toBe(2);
  });

  it('never stores the raw device id, only its 64-hex keyed hash, the same for the same device', async () => {
    const { appId, key } = await ingester(server);
    const rawDeviceId = `raw-device-${Date.now()}`;
    await post(server, '/v1/telemetry', key, [telemetryEvent(appId, { deviceId: rawDeviceId }), telemetryEvent(appId, { deviceId: rawDeviceId })]);
    const rows = await server.db.query(`SELECT device_id FROM telemetry_events WHERE app_id = $1`, [appId]);
    expect(rows).toHaveLength(2);
    expect(rows[0].device_id).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[1].device_id).toBe(rows[0].device_id);

    const everything = await server.db.query(
      `SELECT t::text AS row FROM telemetry_events t UNION ALL SELECT d::text FROM telemetry_daily_devices d
       UNION ALL SELECT encode(device_hash, 'escape') FROM telemetry_daily_devices`,
    );
    for (const { row } of everything) expect(row).not.toContain(rawDeviceId);
  });

  it('accepts NDJSON and reports malformed lines by index and line', async () => {
    const { appId, key } = await ingester(server);
    const lines = [telemetryEvent(appId), telemetryEvent(appId)].map((e) => JSON.stringify(e)).join('\n') + '\n';
    expect(await post(server, '/v1/telemetry', key, lines)).toEqual({ status: 202, body: { accepted: 2, duplicates: 0 } });

    const broken = `${JSON.stringify(telemetryEvent(appId))}\n\n{"appId": \n${JSON.stringify(telemetryEvent(appId))}\n`;
    const response = await post(server, '/v1/telemetry', key, broken);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ index: 1, line: 3 })]);
    expect(response.body.errors[0].reason).toContain('line 3 is not valid JSON');
    expect(await storedEvents(appId)).toBe(2);
  });

  it('refuses empty, non-array and oversized batches', async () => {
    const { appId, key } = await ingester(server);
    expect(await post(server, '/v1/telemetry', key, [])).toEqual({ status: 400, body: { error: 'The batch is empty.' } });
    expect((await post(server, '/v1/telemetry', key, telemetryEvent(appId))).body.error).toContain('must be a JSON array');
    const tooMany = Array.from({ length: 10_001 }, () => ({}));
    const response = await post(server, '/v1/telemetry', key, tooMany);
    expect(response).toEqual({ status: 400, body: { error: 'A batch holds at most 10000 items; this one has 10001.' } });
  });

  it('takes a full batch of 10,000 events', async () => {
    const { appId, key } = await ingester(server);
    const batch = Array.from({ length: 10_000 }, (_, i) => telemetryEvent(appId, { deviceId: `device-${i % 250}` }));
    expect(await post(server, '/v1/telemetry', key, batch)).toEqual({ status: 202, body: { accepted: 10_000, duplicates: 0 } });
  });
});

describe('who may ingest', () => {
  it('refuses a missing or bad credential with 401', async () => {
    const { appId } = await ingester(server);
    const missing = await post(server, '/v1/telemetry', null, [telemetryEvent(appId)]);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toContain('API key');
    expect((await post(server, '/v1/telemetry', 'mk_' + 'x'.repeat(43), [telemetryEvent(appId)])).status).toBe(401);
    expect((await post(server, '/v1/crashes', 'garbage', [crashReport(appId)])).status).toBe(401);
  });

  it('refuses a session token with 403, saying to use an API key', async () => {
    const { appId, developer } = await ingester(server);
    const response = await post(server, '/v1/telemetry', developer.token, [telemetryEvent(appId)]);
    expect(response.status).toBe(403);
    expect(response.body.error).toContain('API key');
  });

  it('refuses a key without telemetry:write with 403', async () => {
    const { appId, developer } = await ingester(server);
    const { secret } = await createApiKey(server, developer.token, ['telemetry:read', 'apps:write']);
    const response = await post(server, '/v1/telemetry', secret, [telemetryEvent(appId)]);
    expect(response).toEqual({ status: 403, body: { error: 'This API key lacks the "telemetry:write" permission.' } });
  });

  it("refuses events for another developer's app with 403 naming it, even beside bad items, and stores nothing", async () => {
    const { appId, key } = await ingester(server);
    const stranger = await signUp(server);
    const theirApp = await insertApp(server.db, stranger.id, 'published');
    const batch = [telemetryEvent(appId), telemetryEvent(theirApp), telemetryEvent(appId, { eventType: '' })];
    for (const path of ['/v1/telemetry', '/v1/crashes'] as const) {
      const response = await post(server, path, key, path === '/v1/telemetry' ? batch : [crashReport(theirApp)]);
      expect(response.status).toBe(403);
      expect(response.body.error).toContain(theirApp);
    }
    expect(await storedEvents(appId)).toBe(0);
    expect(await storedEvents(theirApp)).toBe(0);
  });

  it('refuses an app that does not exist with 403', async () => {
    const { key } = await ingester(server);
    const ghost = '00000000-0000-4000-8000-000000000000';
    const response = await post(server, '/v1/telemetry', key, [telemetryEvent(ghost)]);
    expect(response.status).toBe(403);
    expect(response.body.error).toContain(ghost);
  });
});

describe('body limit', () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startTestServer({ INGEST_MAX_BYTES: '2048' });
  });
  afterAll(() => small.close());

  it('answers 413 with the limit in the message', async () => {
    const developer = await signUp(small);
    const appId = await insertApp(small.db, developer.id);
    const { secret } = await createApiKey(small, developer.token, ['telemetry:write']);
    const batch = Array.from({ length: 20 }, () => telemetryEvent(appId));
    for (const body of [batch, batch.map((e) => JSON.stringify(e)).join('\n')]) {
      const response = await post(small, '/v1/telemetry', secret, body);
      expect(response.status).toBe(413);
      expect(response.body.error).toContain('2048-byte limit');
    }
    expect((await post(small, '/v1/telemetry', secret, batch.slice(0, 2))).status).toBe(202);
  });
});

describe('POST /v1/crashes', () => {
  it('stores reports with their fingerprint, idempotent on eventId', async () => {
    const { appId, key } = await ingester(server);
    const batch = [crashReport(appId), crashReport(appId, { deviceId: 'device-2', eventId: undefined })];
    expect(await post(server, '/v1/crashes', key, batch)).toEqual({ status: 202, body: { accepted: 2, duplicates: 0 } });
    expect((await post(server, '/v1/crashes', key, batch.slice(0, 1))).body).toEqual({ accepted: 0, duplicates: 1 });
    const rows = await server.db.query(`SELECT fingerprint, device_id FROM crash_reports WHERE app_id = $1`, [appId]);
    expect(rows).toHaveLength(2);
    expect(rows[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[1].fingerprint).toBe(rows[0].fingerprint);
    for (const row of rows) expect(row.device_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates every field and stores nothing from a bad batch', async () => {
    const { appId, key } = await ingester(server);
    const batch = [
      crashReport(appId),
      crashReport(appId, { appVersion: undefined, crashType: 'x'.repeat(51) }),
      crashReport(appId, { context: 'oops', stackTrace: 42 }),
    ];
    const { status, body } = await post(server, '/v1/crashes', key, batch);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { index: 1, reason: 'appVersion: is required; crashType: must be at most 50 characters' },
      { index: 2, reason: 'stackTrace: must be a string; context: must be a JSON object' },
    ]);
    const [{ n }] = await server.db.query(`SELECT count(*)::int AS n FROM crash_reports WHERE app_id = $1`, [appId]);
    expect(n).toBe(0);
  });
});
