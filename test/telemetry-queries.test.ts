import { createApiKey, signUp, signUpWithRole } from './helpers/factories';
import { daysAgo, ingester, type Ingester, insertApp, post, telemetryEvent } from './helpers/telemetry';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
let owner: Ingester;
beforeAll(async () => {
  server = await startTestServer();
  owner = await ingester(server);
  await post(server, '/v1/telemetry', owner.key, [
    telemetryEvent(owner.appId, { deviceId: 'a', eventType: 'app_open', timestamp: daysAgo(3) }),
    telemetryEvent(owner.appId, { deviceId: 'b', eventType: 'app_open', timestamp: daysAgo(3, 13) }),
    telemetryEvent(owner.appId, { deviceId: 'a', eventType: 'app_open', timestamp: daysAgo(3, 14) }),
    telemetryEvent(owner.appId, { deviceId: 'a', eventType: 'purchase', timestamp: daysAgo(3, 15) }),
    telemetryEvent(owner.appId, { deviceId: 'c', eventType: 'app_open', timestamp: daysAgo(1) }),
  ]);
});
afterAll(() => server.close());

const DAILY = `query ($appId: ID!, $from: Date!, $to: Date!, $eventType: String) {
  telemetryDaily(appId: $appId, from: $from, to: $to, eventType: $eventType) { date eventType count uniqueDevices }
}`;
const day = (n: number) => daysAgo(n).slice(0, 10);

describe('telemetryDaily', () => {
  it('returns one row per day and event type, ordered by date then type, with inclusive bounds', async () => {
    const result = await server.graphql(DAILY, { appId: owner.appId, from: day(3), to: day(1) }, owner.key);
    expect(result.data.telemetryDaily).toEqual([
      { date: day(3), eventType: 'app_open', count: 3, uniqueDevices: 2 },
      { date: day(3), eventType: 'purchase', count: 1, uniqueDevices: 1 },
      { date: day(1), eventType: 'app_open', count: 1, uniqueDevices: 1 },
    ]);
    const oneDay = await server.graphql(DAILY, { appId: owner.appId, from: day(1), to: day(1) }, owner.key);
    expect(oneDay.data.telemetryDaily).toHaveLength(1);
    const purchases = await server.graphql(DAILY, { appId: owner.appId, from: day(5), to: day(0), eventType: 'purchase' }, owner.key);
    expect(purchases.data.telemetryDaily).toEqual([{ date: day(3), eventType: 'purchase', count: 1, uniqueDevices: 1 }]);
  });

  it('reads only the rollup table, in one statement', async () => {
    server.statements.reset();
    await server.graphql(DAILY, { appId: owner.appId, from: day(3), to: day(1) }, owner.key);
    const telemetrySql = server.statements.sql.filter((sql) => /telemetry/.test(sql));
    expect(telemetrySql).toHaveLength(1);
    expect(telemetrySql[0]).toContain('FROM telemetry_daily');
    expect(telemetrySql[0]).not.toContain('telemetry_events');
  });

  it.each([
    ['from after to', { from: day(1), to: day(3) }, 'to'],
    ['a range over 366 days', { from: '2024-01-01', to: '2025-01-02' }, 'to'],
    ['an impossible event type', { from: day(3), to: day(1), eventType: 'no spaces' }, 'eventType'],
    ['a malformed app id', { appId: 'app-1', from: day(3), to: day(1) }, 'appId'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, variables, field) => {
    const result = await server.graphql(DAILY, { appId: owner.appId, ...variables }, owner.key);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('is private: NOT_FOUND for a draft stranger, FORBIDDEN for a published one, before any input check', async () => {
    const stranger = await signUp(server);
    const badRange = { from: day(1), to: day(3) };
    expect(errorOf(await server.graphql(DAILY, { appId: owner.appId, ...badRange }, stranger.token)).code).toBe('NOT_FOUND');

    const published = await ingester(server, 'published');
    const result = await server.graphql(DAILY, { appId: published.appId, ...badRange }, stranger.token);
    expect(errorOf(result).code).toBe('FORBIDDEN');
    const reviewer = await signUpWithRole(server, 'reviewer');
    expect(errorOf(await server.graphql(DAILY, { appId: owner.appId, from: day(3), to: day(1) }, reviewer.token)).code).toBe('FORBIDDEN');
  });

  it('needs telemetry:read on an API key; admins may read any app', async () => {
    const writeOnly = await createApiKey(server, owner.developer.token, ['telemetry:write', 'apps:read']);
    const refused = await server.graphql(DAILY, { appId: owner.appId, from: day(1), to: day(3) }, writeOnly.secret);
    expect(errorOf(refused)).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(refused).message).toContain('telemetry:read');

    const admin = await signUpWithRole(server, 'admin');
    const result = await server.graphql(DAILY, { appId: owner.appId, from: day(3), to: day(1) }, admin.token);
    expect(result.data.telemetryDaily).toHaveLength(3);
  });

  it('is a field on App, batched into one query for many apps', async () => {
    const developer = await signUp(server);
    const { secret } = await createApiKey(server, developer.token, ['telemetry:write']);
    const apps = [await insertApp(server.db, developer.id), await insertApp(server.db, developer.id)];
    await post(server, '/v1/telemetry', secret, apps.map((appId) => telemetryEvent(appId, { timestamp: daysAgo(2) })));

    server.statements.reset();
    const result = await server.graphql(
      `query ($developerId: ID!, $from: Date!, $to: Date!) {
        apps(developerId: $developerId) { edges { node { id telemetryDaily(from: $from, to: $to) { date eventType count uniqueDevices } } } }
      }`,
      { developerId: developer.id, from: day(7), to: day(0) },
      developer.token,
    );
    const nodes = result.data.apps.edges.map((e: { node: unknown }) => e.node);
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      expect(node.telemetryDaily).toEqual([{ date: day(2), eventType: 'app_open', count: 1, uniqueDevices: 1 }]);
    }
    expect(server.statements.sql.filter((sql) => sql.includes('FROM telemetry_daily'))).toHaveLength(1);

    const stranger = await signUp(server);
    const forbidden = await server.graphql(`query ($id: ID!) { app(id: $id) { telemetryDaily(from: "2025-01-01", to: "2025-01-02") { count } } }`,
      { id: owner.appId }, stranger.token);
    expect(forbidden.data.app).toBeNull();
    const published = await ingester(server, 'published');
    const visible = await server.graphql(`query ($id: ID!) { app(id: $id) { id telemetryDaily(from: "2025-01-01", to: "2025-01-02") { count } } }`,
      { id: published.appId }, stranger.token);
    expect(errorOf(visible).code).toBe('FORBIDDEN');
  });
});

const EVENTS = `query ($appId: ID!, $from: DateTime!, $to: DateTime!, $eventType: String, $first: Int, $after: String) {
  telemetryEvents(appId: $appId, from: $from, to: $to, eventType: $eventType, first: $first, after: $after) {
    edges { cursor node { id appId eventType eventData mosisVersion timestamp } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

describe('telemetryEvents', () => {
  let reader: Ingester;
  const base = Date.parse(daysAgo(2));
  beforeAll(async () => {
    reader = await ingester(server);
    // 25 events a minute apart, plus two sharing one timestamp (the id breaks the tie).
    const events = Array.from({ length: 25 }, (_, i) =>
      telemetryEvent(reader.appId, { eventType: i % 5 === 0 ? 'purchase' : 'screen_view', eventData: { i }, timestamp: new Date(base + i * 60_000).toISOString() }),
    );
    events.push(telemetryEvent(reader.appId, { eventData: { i: 'tie-1' }, timestamp: new Date(base + 7 * 60_000).toISOString() }));
    events.push(telemetryEvent(reader.appId, { eventData: { i: 'tie-2' }, timestamp: new Date(base + 7 * 60_000).toISOString() }));
    await post(server, '/v1/telemetry', reader.key, events);
  });

  const range = () => ({ appId: reader.appId, from: new Date(base - 3600_000).toISOString(), to: new Date(base + 3600_000).toISOString() });

  it('pages newest first through every event exactly once', async () => {
    const seen: { id: string; timestamp: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const result: any = await server.graphql(EVENTS, { ...range(), first: 4, after }, reader.key);
      const page = result.data.telemetryEvents;
      expect(page.totalCount).toBe(27);
      seen.push(...page.edges.map((e: { node: { id: string; timestamp: string } }) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(27);
    expect(new Set(seen.map((e) => e.id)).size).toBe(27);
    const order = seen.map((e) => [Date.parse(e.timestamp), BigInt(e.id)] as const);
    for (let i = 1; i < order.length; i++) {
      const [t0, id0] = order[i - 1];
      const [t1, id1] = order[i];
      expect(t0 > t1 || (t0 === t1 && id0 > id1)).toBe(true);
    }
  });

  it('breaks timestamp ties by id as a number (100 after 99), across pages', async () => {
    const tied = await ingester(server);
    const at = new Date(base).toISOString();
    // The next ids (…99, …00, …01) are past every stored id and cross a change in digit count.
    const [{ start }] = await server.db.query(
      `SELECT setval('telemetry_events_id_seq', (10 ^ ceil(log(coalesce(max(id), 0) + 3)))::bigint - 2) AS start FROM telemetry_events`,
    );
    await post(server, '/v1/telemetry', tied.key, [0, 1, 2].map(() => telemetryEvent(tied.appId, { timestamp: at })));
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await server.graphql(EVENTS, { appId: tied.appId, from: at, to: at, first: 1, after }, tied.key)).data.telemetryEvents;
      ids.push(...page.edges.map((e: any) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(ids).toEqual([3, 2, 1].map((n) => String(Number(start) + n)));
  });

  it('filters by event type and by an inclusive time range', async () => {
    const purchases = await server.graphql(EVENTS, { ...range(), eventType: 'purchase' }, reader.key);
    expect(purchases.data.telemetryEvents.edges.map((e: any) => e.node.eventData.i)).toEqual([20, 15, 10, 5, 0]);
    const exact = new Date(base + 24 * 60_000).toISOString();
    const single = await server.graphql(EVENTS, { appId: reader.appId, from: exact, to: exact }, reader.key);
    expect(single.data.telemetryEvents.edges).toEqual([
      expect.objectContaining({ node: expect.objectContaining({ appId: reader.appId, eventType: 'screen_view', eventData: { i: 24 }, mosisVersion: '1.4.0', timestamp: exact }) }),
    ]);
  });

  it('scans only the partition of the range, through its (app_id, "timestamp", id) index', async () => {
    // Enough rows from enough apps, analyzed, that the planner chooses as it would in production
    // (a table of a few rows is read faster without any index).
    const busyApp = '11111111-2222-4333-8444-000000000000';
    await server.db.query(
      `INSERT INTO telemetry_events (app_id, device_id, event_type, "timestamp")
       SELECT ('11111111-2222-4333-8444-' || lpad((n % 20)::text, 12, '0'))::uuid, repeat('c', 64), 'tick',
              $1::timestamptz + n * interval '100 ms'
         FROM generate_series(1, 40000) AS n`,
      [new Date(base - 3600_000).toISOString()],
    );
    await server.db.query(`ANALYZE telemetry_events`);
    const [{ 'QUERY PLAN': [{ Plan: plan }] }] = await server.db.query(
      `EXPLAIN (FORMAT JSON) SELECT id FROM telemetry_events
        WHERE app_id = $1 AND "timestamp" BETWEEN $2 AND $3 ORDER BY "timestamp" DESC, id DESC LIMIT 21`,
      [busyApp, range().from, range().to],
    );
    const nodes: { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string }[] = [];
    const walk = (node: any) => {
      nodes.push(node);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(plan);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    const scans = nodes.filter((n) => n['Relation Name']);
    expect(scans).toHaveLength(1);
    expect(scans[0]['Node Type']).toMatch(/^Index (Only )?Scan$/);
    expect(scans[0]['Relation Name']).toMatch(/^telemetry_events_y\d{4}m\d{2}$/);
    expect(scans[0]['Index Name']).toMatch(/_app_id_timestamp_id_idx$/);
  });

  it('refuses a bad cursor, an inverted range and strangers', async () => {
    expect(errorOf(await server.graphql(EVENTS, { ...range(), after: 'bm9wZQ' }, reader.key))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const inverted = { appId: reader.appId, from: range().to, to: range().from };
    expect(errorOf(await server.graphql(EVENTS, inverted, reader.key))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const stranger = await signUp(server);
    expect(errorOf(await server.graphql(EVENTS, { ...inverted, first: 1000 }, stranger.token)).code).toBe('NOT_FOUND');
  });
});

it('daily rollups refuse an event type outside the ingestion rule, which the telemetryDaily read relies on', async () => {
  const insert = (eventType: string) => server.db.query(
    `INSERT INTO telemetry_daily (app_id, date, event_type, count, unique_devices) VALUES ($1, '2020-01-01', $2, 1, 1)`,
    [owner.appId, eventType],
  );
  await expect(insert('two words')).rejects.toThrow(/telemetry_daily_event_type_format/);
  await expect(insert('line\nbreak')).rejects.toThrow(/telemetry_daily_event_type_format/);
  await insert('checkout.step-2:done');
  const result = await server.graphql(DAILY, { appId: owner.appId, from: '2020-01-01', to: '2020-01-01' }, owner.key);
  expect(result.data.telemetryDaily).toEqual([{ date: '2020-01-01', eventType: 'checkout.step-2:done', count: 1, uniqueDevices: 1 }]);
});
