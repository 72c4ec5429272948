import { createHash } from 'node:crypto';
import { buildApiSchema } from '../src/graphql/schema';
import { DEFAULT_MAX_LENGTH, MAX_LENGTH } from '../src/graphql/input-rules';
import { createApp, createVersion, publishedApp, registerSigningKey, signUp, versionInput } from './helpers/factories';
import { stringArguments, type StringArgument } from './helpers/schema-values';
import { crashReport, ingester, post, telemetryEvent } from './helpers/telemetry';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
let sites: StringArgument[];
beforeAll(async () => {
  server = await startTestServer();
  sites = stringArguments(await buildApiSchema());
});
afterAll(() => server.close());

/** Rows in every table a mutation could write, to show a refused request wrote nothing. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = ['developers', 'sessions', 'api_keys', 'signing_keys', 'apps', 'app_versions', 'telemetry_events', 'crash_reports'];
  const [row] = await server.db.query(`SELECT ${tables.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`);
  return row;
}

const send = (site: StringArgument, value: unknown, token?: string) => {
  const { query, variables } = site.request(value);
  return server.graphql(query, variables, token);
};

describe('finding 5: every string argument refuses NUL, unpaired surrogates and excess length', () => {
  it('finds every String and ID argument of the schema', () => {
    // 21 string arguments got INTERNAL_SERVER_ERROR for a NUL; the schema has more String/ID places than that.
    expect(sites.length).toBeGreaterThanOrEqual(40);
    expect(sites.map((s) => s.label)).toEqual(expect.arrayContaining([
      'Query.searchApps query', 'Mutation.signIn email', 'Mutation.createApp input.name', 'Mutation.suspendApp reason',
      'Mutation.approveVersion notes', 'Query.telemetryEvents after', 'Mutation.createVersion input.releaseNotes',
    ]));
  });

  it.each([
    ['a NUL character', 'a\u0000b', /NUL/],
    ['a lone high surrogate', 'a\uD800b', /unpaired UTF-16 surrogate/],
    ['a lone low surrogate', '\uDC00', /unpaired UTF-16 surrogate/],
  ])('%s → BAD_USER_INPUT naming the field, in every one of them, storing nothing', async (_what, value, message) => {
    const before = await rowCounts();
    const dev = await signUp(server);
    const afterSignUp = await rowCounts();
    for (const site of sites) {
      const result = await send(site, value, dev.token);
      expect({ site: site.label, code: result.errors?.[0].extensions.code, field: result.errors?.[0].extensions.field })
        .toEqual({ site: site.label, code: 'BAD_USER_INPUT', field: site.field });
      expect(result.status).toBeLessThan(500);
      expect(result.errors![0].message).toMatch(message);
    }
    expect(await rowCounts()).toEqual(afterSignUp);
    expect(afterSignUp.developers).toBe(before.developers + 1);
  });

  it('refuses one character past each limit, naming the field and the limit', async () => {
    for (const site of sites) {
      const max = MAX_LENGTH[site.field.split('.').at(-1)!] ?? DEFAULT_MAX_LENGTH;
      const result = await send(site, 'x'.repeat(max + 1));
      expect({ site: site.label, code: result.errors?.[0].extensions.code, field: result.errors?.[0].extensions.field })
        .toEqual({ site: site.label, code: 'BAD_USER_INPUT', field: site.field });
      expect(result.errors![0].message).toContain(`at most ${max} characters`);
    }
  });

  it('checks strings written into the query text as well as variables', async () => {
    const result = await server.graphql(`{ searchApps(query: "fine", tags: ["ok", "bad\\u0000"]) { totalCount } }`);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tags' });
    const nested = await server.graphql(`mutation { signUp(input: {email: "a@example.com", name: "a\\u0000", password: "long enough password"}) { token } }`);
    expect(errorOf(nested)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('accepts text that only looks hostile: paired surrogates, quotes, SQL', async () => {
    const dev = await signUp(server);
    const name = `𝄞 Robert'); DROP TABLE apps;-- "quoted" \\`;
    const app = await createApp(server, dev.token, { name });
    expect(app.name).toBe(name);
  });

  it('refuses lists longer than 100 items', async () => {
    const result = await server.graphql(`query ($tags: [String!]) { searchApps(tags: $tags) { totalCount } }`, {
      tags: Array.from({ length: 101 }, (_, i) => `t${i}`),
    });
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tags' });
  });
});

describe('finding 2: an anonymous search with one 900 KiB word', () => {
  it('is refused before any SQL, naming the field, and many at once leave the pool to others', async () => {
    const word = 'a'.repeat(900 * 1024);
    server.statements.reset();
    const results = await Promise.all(Array.from({ length: 10 }, () =>
      server.graphql(`query ($q: String) { searchApps(query: $q) { totalCount } }`, { q: word })));
    for (const result of results) {
      expect(result.status).toBe(400);
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
      expect(errorOf(result).message).toContain('at most 200 characters');
    }
    expect(server.statements.count).toBe(0);
    expect((await server.graphql(`{ searchApps(query: "notes") { totalCount } }`)).errors).toBeUndefined();
  });
});

const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
const UUID = '3f2b8c1e-9a7d-4e6f-8b5a-1c2d3e4f5a6b';
const SHA = 'a'.repeat(64);

describe('finding 5: cursors that decode but do not fit their list', () => {
  let token: string;
  let appId: string;
  beforeAll(async () => {
    const { owner, app } = await publishedApp(server);
    token = owner.token;
    appId = app.id;
  });

  const lists: [string, string, unknown[][]][] = [
    ['apps', `query ($after: String) { apps(after: $after) { totalCount } }`,
      [['2024-99-99T00:00:00', UUID], ['2024-01-01T00:00:00', '-'.repeat(36)], ['0000-01-01T00:00:00', UUID], ['2024-01-01T00:00:00'], [2147483648]]],
    ['Developer.apps', `query ($after: String) { me { apps(after: $after) { totalCount } } }`,
      [['2024-02-30T00:00:00', UUID], ['2024-01-01T25:00:00', UUID]]],
    ['searchApps', `query ($after: String) { searchApps(query: "test", after: $after) { totalCount } }`,
      [[1, 'name\u0000', UUID], ['1', 'name', UUID], [1, 'name', 'not-a-uuid-but-36-characters-long-xx'], [1, 'name']]],
    ['App.versions', `query ($after: String, $id: ID) { app(id: $id) { versions(after: $after) { totalCount } } }`,
      [[2147483648], [1.5], ['1'], [1, 2]]],
    ['telemetryEvents', `query ($after: String, $id: ID!) { telemetryEvents(appId: $id, from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z", after: $after) { totalCount } }`,
      [['2024-99-99T00:00:00.000000Z', '1'], ['2024-01-01T00:00:00.000000Z', '99999999999999999999'], ['2024-01-01T00:00:00.000000Z', '-1']]],
    ['crashGroups', `query ($after: String, $id: ID!) { crashGroups(appId: $id, after: $after) { totalCount } }`,
      [['99999999999999999999', SHA], ['9223372036854775808', SHA], ['1', 'xyz']]],
    ['auditLogs', `query ($after: String) { auditLogs(after: $after) { totalCount } }`,
      [['99999999999999999999'], [1], ['1', '2'], []]],
  ];

  it.each(lists)('%s: BAD_USER_INPUT naming after', async (_list, query, bad) => {
    for (const values of bad) {
      const result = await server.graphql(query, { after: cursor(values), id: appId }, token);
      expect({ values, error: result.errors && errorOf(result) }).toEqual({
        values, error: { code: 'BAD_USER_INPUT', field: 'after', message: 'after: is not a cursor returned by this list' },
      });
    }
  });

  it('still pages with the cursors the lists hand out', async () => {
    for (const [, query] of lists) {
      const first = await server.graphql(query.replace('totalCount', 'totalCount pageInfo { endCursor }'), { id: appId }, token);
      expect(first.errors).toBeUndefined();
    }
    const page = await server.graphql(`{ apps(first: 1) { pageInfo { endCursor } } }`);
    const next = await server.graphql(`query ($after: String) { apps(first: 1, after: $after) { totalCount } }`, { after: page.data.apps.pageInfo.endCursor });
    expect(next.errors).toBeUndefined();
  });
});

describe('finding 5: dates and numbers outside their columns', () => {
  it('refuses Date and DateTime outside the years 0001-9999, as literals and as variables', async () => {
    const { developer, appId } = await ingester(server);
    const daily = await server.graphql(`{ telemetryDaily(appId: "${appId}", from: "0000-01-01", to: "2024-01-01") { count } }`, {}, developer.token);
    expect(errorOf(daily)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });

    const events = await server.graphql(`query ($from: DateTime!) { telemetryEvents(appId: "${appId}", from: $from, to: "2024-01-01T00:00:00Z") { totalCount } }`,
      { from: '0001-01-01T00:30:00+01:00' }, developer.token);
    expect(errorOf(events)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });

    const key = await server.graphql(`mutation { createApiKey(input: {name: "k", permissions: [], expiresAt: "0000-06-01T00:00:00Z"}) { secret } }`, {}, developer.token);
    expect(errorOf(key)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
  });

  it('refuses a packageSize beyond a 64-bit integer, and stores nothing', async () => {
    const owner = await signUp(server);
    const key = await registerSigningKey(server, owner.token);
    const app = await createApp(server, owner.token);
    const result = await server.graphql(`mutation ($input: CreateVersionInput!) { createVersion(input: $input) { id } }`,
      { input: versionInput(app, key, 1, { packageSize: '9223372036854775808' }) }, owner.token);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'packageSize' });
    expect((await server.db.query(`SELECT count(*)::int AS n FROM app_versions WHERE app_id = $1`, [app.id]))[0].n).toBe(0);
    await createVersion(server, owner.token, versionInput(app, key, 1, { packageSize: '9223372036854775807' }));
  });
});

describe('finding 5: ingested JSON', () => {
  /** The body as text: JSON.stringify itself gives up on 15,000 levels. */
  const postWithNestedArrays = (path: '/v1/telemetry' | '/v1/crashes', key: string, item: Record<string, unknown>, depth: number) =>
    server.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify([item]).replace('"DEEP"', '['.repeat(depth) + ']'.repeat(depth)),
    });
  const nestedObjects = (depth: number): Record<string, unknown> => {
    let value: Record<string, unknown> = {};
    for (let i = 1; i < depth; i++) value = { a: value };
    return value;
  };

  it.each(['/v1/telemetry', '/v1/crashes'] as const)('%s: 400 for 15,000 nested arrays or 33 levels; 32 levels are fine', async (path) => {
    const { appId, key } = await ingester(server);
    const item = (data: unknown) => path === '/v1/telemetry'
      ? telemetryEvent(appId, { eventData: data })
      : crashReport(appId, { context: data });
    const field = path === '/v1/telemetry' ? 'eventData' : 'context';

    const deep = await postWithNestedArrays(path, key, item({ deep: 'DEEP' }), 15_000);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as any).errors).toEqual([{ index: 0, reason: expect.stringMatching(new RegExp(`^${field}: .*32 levels`)) }]);

    expect((await post(server, path, key, [item(nestedObjects(33))])).status).toBe(400);
    expect((await post(server, path, key, [item(nestedObjects(32))])).status).toBe(202);
  });
});

describe('finding 5: malformed GraphQL requests', () => {
  it('answers a subscription with a client error', async () => {
    const result = await server.graphql(`subscription { me { id } }`);
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(errorOf(result).message).toMatch(/no subscription operations/);
  });

  it('answers a persisted-query hash that does not match the text with a client error', async () => {
    const query = '{ __typename }';
    const response = await server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('other').digest('hex') } } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('finding 8: sign-in attempts refused for their input are audited, safely', () => {
  const SIGN_IN = `mutation ($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`;
  const failedSignIns = async (): Promise<string[]> =>
    (await server.db.query(`SELECT metadata->>'email' AS email FROM audit_logs WHERE action = 'developer.sign_in_failed' ORDER BY id`))
      .map((r: { email: string }) => r.email);

  it.each([
    ['a NUL', 'ada\u0000@example.com', 'ada\uFFFD@example.com'],
    ['an unpaired surrogate', 'ada\uD800@example.com', 'ada\uFFFD@example.com'],
    ['10,000 characters', `${'x'.repeat(10_000)}@example.com`, `${'x'.repeat(100)}…`],
    ['control characters', 'ada\n\t@example.com', 'ada\uFFFD\uFFFD@example.com'],
  ])('%s in the email: refused or failed, audited cut short and made safe', async (_what, email, audited) => {
    const before = (await failedSignIns()).length;
    const result = await server.graphql(SIGN_IN, { email, password: 'whatever password' });
    expect(['BAD_USER_INPUT', 'UNAUTHENTICATED']).toContain(errorOf(result).code);
    const rows = await failedSignIns();
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toBe(audited);
  });

  it('a NUL in the password is refused and audited', async () => {
    const dev = await signUp(server);
    const before = (await failedSignIns()).length;
    const result = await server.graphql(SIGN_IN, { email: dev.email, password: 'pass\u0000word' });
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    expect((await failedSignIns()).slice(before)).toEqual([dev.email]);
  });
});
