import { createApiKey, createApp, createVersion, publishedApp, registerSigningKey, signUp, signUpWithRole, versionInput } from './helpers/factories';
import { crashReport, daysAgo, insertApp, post, telemetryEvent } from './helpers/telemetry';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const PAGE = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`;
const ARGS = `first: $first, after: $after, last: $last, before: $before`;
const VARS = `$first: Int, $after: String, $last: Int, $before: String`;

/** Each list: a query with the paging variables and where its connection sits in the result. */
interface List {
  query: string;
  vars: Record<string, unknown>;
  connectionOf: (data: any) => any;
  /** Who reads the list; the fixture's owner unless said. */
  token?: string;
}

async function fixture() {
  const owner = await signUp(server);
  const key = await registerSigningKey(server, owner.token);
  const app = await createApp(server, owner.token);
  for (let code = 1; code <= 5; code++) await createVersion(server, owner.token, versionInput(app, key, code));
  for (let i = 0; i < 4; i++) await createApp(server, owner.token);
  for (let i = 0; i < 3; i++) await createApiKey(server, owner.token, [], { name: `k${i}` });
  const reviewer = await signUpWithRole(server, 'reviewer');
  for (const { id } of await versionsOf(owner.token, app.id)) await submit(owner.token, id);
  // Same names on purpose: search ranks them equally and must break the tie the same way both ways.
  for (const name of ['Relay Notes', 'Relay Notes', 'Relay Notes', 'Relay Clock']) await publishedApp(server, { name }, reviewer);

  const telemetryAppId = await insertApp(server.db, owner.id);
  const { secret } = await createApiKey(server, owner.token, ['telemetry:write', 'telemetry:read']);
  // Two events share a timestamp, so the id breaks the tie.
  const stamps = [daysAgo(1, 10), daysAgo(1, 11), daysAgo(1, 11), daysAgo(1, 12), daysAgo(1, 13)];
  await post(server, '/v1/telemetry', secret, stamps.map((timestamp) => telemetryEvent(telemetryAppId, { timestamp })));
  // Five crash groups, two of them with the same count, so the fingerprint breaks the tie.
  const crashes = [1, 2, 2, 3, 4].flatMap((count, group) =>
    Array.from({ length: count }, () => crashReport(telemetryAppId, { crashType: `relay.Crash${group}`, timestamp: daysAgo(1) })));
  await post(server, '/v1/crashes', secret, crashes);
  return { owner, app, reviewer, telemetryAppId };
}

async function versionsOf(token: string, appId: string): Promise<{ id: string }[]> {
  const result = await server.graphql(`query ($id: ID!) { app(id: $id) { versions(first: 100) { edges { node { id } } } } }`, { id: appId }, token);
  return result.data.app.versions.edges.map((e: any) => e.node);
}

async function submit(token: string, versionId: string) {
  const result = await server.graphql(`mutation ($id: ID!) { submitVersionForReview(id: $id) { status } }`, { id: versionId }, token);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}

type Fixture = Awaited<ReturnType<typeof fixture>>;
let world: Fixture;
beforeAll(async () => {
  world = await fixture();
});

const RANGE = { from: daysAgo(3), to: new Date().toISOString() };

const LISTS: [string, (w: Fixture) => List][] = [
  ['apps', (w) => ({ query: `query (${VARS}, $dev: ID) { apps(developerId: $dev, ${ARGS}) { ${PAGE} } }`, vars: { dev: w.owner.id }, connectionOf: (d) => d.apps })],
  ['Developer.apps', () => ({ query: `query (${VARS}) { me { apps(${ARGS}) { ${PAGE} } } }`, vars: {}, connectionOf: (d) => d.me.apps })],
  ['searchApps', () => ({ query: `query (${VARS}) { searchApps(query: "relay", ${ARGS}) { ${PAGE} } }`, vars: {}, connectionOf: (d) => d.searchApps })],
  ['App.versions', (w) => ({ query: `query (${VARS}, $id: ID!) { app(id: $id) { versions(${ARGS}) { ${PAGE} } } }`, vars: { id: w.app.id }, connectionOf: (d) => d.app.versions })],
  ['versionsAwaitingReview', (w) => ({ query: `query (${VARS}) { versionsAwaitingReview(${ARGS}) { ${PAGE} } }`, vars: {}, connectionOf: (d) => d.versionsAwaitingReview, token: w.reviewer.token })],
  ['auditLogs', () => ({ query: `query (${VARS}) { auditLogs(${ARGS}) { ${PAGE} } }`, vars: {}, connectionOf: (d) => d.auditLogs })],
  ['telemetryEvents', (w) => ({
    query: `query (${VARS}, $app: ID!, $from: DateTime!, $to: DateTime!) { telemetryEvents(appId: $app, from: $from, to: $to, ${ARGS}) { ${PAGE} } }`,
    vars: { app: w.telemetryAppId, ...RANGE }, connectionOf: (d) => d.telemetryEvents,
  })],
  ['crashGroups', (w) => ({
    query: `query (${VARS}, $app: ID!) { crashGroups(appId: $app, ${ARGS}) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id: fingerprint } } } }`,
    vars: { app: w.telemetryAppId }, connectionOf: (d) => d.crashGroups,
  })],
];

async function page(list: List, paging: Record<string, unknown>) {
  const result = await server.graphql(list.query, { ...list.vars, ...paging }, list.token ?? world.owner.token);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return list.connectionOf(result.data);
}

describe.each(LISTS)('%s', (_name, make) => {
  it('walks forward and backward over the same rows in the same order', async () => {
    const list = make(world);
    const everything = await page(list, { first: 100 });
    const ids = everything.edges.map((e: any) => e.node.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);

    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: any = await page(list, { first: 2, after });
      forward.push(...p.edges.map((e: any) => e.node.id));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(p.pageInfo.startCursor).toBe(p.edges[0].cursor);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(forward).toEqual(ids);

    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const p: any = await page(list, { last: 2, before });
      backward.unshift(...p.edges.map((e: any) => e.node.id));
      expect(p.pageInfo.hasNextPage).toBe(before !== null);
      expect(p.pageInfo.endCursor).toBe(p.edges.at(-1).cursor);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(backward).toEqual(ids);
    expect((await page(list, { last: 100 })).edges.map((e: any) => e.node.id)).toEqual(ids);
  });

  it('refuses first with last, a bad before cursor, and last out of range', async () => {
    const list = make(world);
    for (const [paging, field] of [
      [{ first: 2, last: 2 }, 'last'],
      [{ last: 2, before: 'WyJ4Il0' }, 'before'],
      [{ last: 101 }, 'last'],
      [{ last: 0 }, 'last'],
      [{ first: 2, before: 'WyJ4Il0' }, 'before'],
    ] as const) {
      const result = await server.graphql(list.query, { ...list.vars, ...paging }, list.token ?? world.owner.token);
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('node(id)', () => {
  const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on App { name } ... on AppVersion { versionCode } ... on Developer { name } } }`;
  const APP = `query ($id: ID!) { app(id: $id) { id } }`;

  it('refetches an app, a version and a developer by id for the owner', async () => {
    const { owner, app } = world;
    const versions = (await page(LISTS[3][1](world), { first: 1 })).edges;
    for (const [id, typename] of [[app.id, 'App'], [versions[0].node.id, 'AppVersion'], [owner.id, 'Developer']]) {
      const result = await server.graphql(NODE, { id }, owner.token);
      expect({ errors: result.errors, node: result.data.node }).toMatchObject({ node: { __typename: typename, id } });
    }
  });

  it('shows a stranger nothing app(id) would not: a draft app, its versions, its owner', async () => {
    const stranger = await signUp(server);
    const versions = (await page(LISTS[3][1](world), { first: 1 })).edges;
    for (const id of [world.app.id, versions[0].node.id, world.owner.id]) {
      const result = await server.graphql(NODE, { id }, stranger.token);
      expect(result.errors).toBeUndefined();
      expect(result.data.node).toBeNull();
    }
    expect((await server.graphql(APP, { id: world.app.id }, stranger.token)).data.app).toBeNull();
    expect((await server.graphql(NODE, { id: world.app.id })).data.node).toBeNull();
  });

  it('answers null for an unknown id and refuses one that is not an id', async () => {
    expect((await server.graphql(NODE, { id: '00000000-0000-4000-8000-000000000000' }, world.owner.token)).data.node).toBeNull();
    expect(errorOf(await server.graphql(NODE, { id: 'x\u0000' }, world.owner.token))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});
