import { createApiKey, createApp, publishedApp, signUp, signUpWithRole, type SignedUpDeveloper } from './helpers/factories';
import { parseMetrics, valueOf } from './helpers/metrics';
import { crashReport, ingester, type Ingester, post, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * A known query whose every field PostgreSQL can render is answered by one statement that builds
 * the response's data (src/graphql/sql-answers.ts). The resolvers stay the definition: each
 * answer here is compared with theirs to the same request, and each case says whether SQL answered.
 */
let server: TestServer;
let owner: SignedUpDeveloper;
let admin: SignedUpDeveloper;
let stranger: SignedUpDeveloper;
let published: Awaited<ReturnType<typeof publishedApp>>;
let draft: { id: string; packageId: string };
let events: Ingester;
beforeAll(async () => {
  server = await startTestServer();
  published = await publishedApp(server, { description: null, tags: ['notes', 'écrire'] });
  owner = published.owner;
  admin = await signUpWithRole(server, 'admin');
  stranger = await signUp(server);
  // Strings JSON must escape, and characters it may leave alone.
  draft = await createApp(server, owner.token, { name: 'Quote " back\\slash \u0001 tab\there', description: 'line\nbreak \u2028 😀 </script>' });
  events = await ingester(server, 'published');
  const batch = [
    telemetryEvent(events.appId, { eventType: 'app_open', eventData: { screen: 'home', nested: { list: [1, 2.5, 'x', null, true] } } }),
    telemetryEvent(events.appId, { eventType: 'purchase', eventData: null, mosisVersion: null, timestamp: new Date(Date.now() - 30_000).toISOString() }),
    telemetryEvent(events.appId, { eventType: 'app_open', eventData: { 'ünïcode': '"quoted" \\ \u0002' }, timestamp: new Date(Date.now() - 120_000).toISOString() }),
  ];
  expect((await post(server, '/v1/telemetry', events.key, batch)).body).toMatchObject({ accepted: 3 });
  // Three crash groups of 3, 2 and 1 reports, from several devices and app versions.
  const crashes = [
    ...[1, 2, 3].map((n) => crashReport(events.appId, { deviceId: `device-${n}`, appVersion: `2.${n}.0` })),
    ...[1, 2].map((n) => crashReport(events.appId, { crashType: 'java.lang.IllegalStateException', deviceId: `device-${n}` })),
    crashReport(events.appId, { crashType: 'java.lang.OutOfMemoryError', appVersion: '2.1.0' }),
  ];
  expect((await post(server, '/v1/crashes', events.key, crashes)).body).toMatchObject({ accepted: 6 });
});
afterAll(() => server.close());

async function sqlAnswers(): Promise<number> {
  return valueOf(parseMetrics(await (await server.fetch('/metrics')).text()), 'mosis_graphql_sql_answers_total') ?? 0;
}

async function send(query: string, variables: object, token?: string) {
  const response = await server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.text() };
}

let unseenCount = 0;

/**
 * The resolvers' answer (a text the server has not seen, so Apollo Server runs it) and the answer
 * to a known text, as JSON re-serialized in its key order; `bySql`: whether SQL gave the second.
 */
async function bothWays(query: string, variables: object = {}, token?: string) {
  const resolvers = await send(query + ' '.repeat(++unseenCount), variables, token);
  await send(query, variables, token); // now the text is known
  const before = await sqlAnswers();
  const known = await send(query, variables, token);
  const normalized = (body: string) => JSON.stringify(JSON.parse(body));
  return {
    resolvers: { status: resolvers.status, body: normalized(resolvers.body) },
    known: { status: known.status, body: normalized(known.body) },
    bySql: (await sqlAnswers()) - before === 1,
    data: JSON.parse(known.body).data,
  };
}

const VERSION_FIELDS = 'id versionCode versionName packageUrl packageSize packageSha256 signature permissions minMosisVersion releaseNotes status reviewNotes publishedAt createdAt';
const APP_FIELDS = 'id packageId name description category tags status createdAt updatedAt';

it('answers an app with its developer and newest version in SQL, as the resolvers do', async () => {
  const query = `query ($packageId: String!) { app(packageId: $packageId) { ${APP_FIELDS} developer { id name email role verified createdAt updatedAt } latestVersion { ${VERSION_FIELDS} } } }`;
  const way = await bothWays(query, { packageId: published.app.packageId }, admin.token);
  expect(way.bySql).toBe(true);
  expect(way.known).toEqual(way.resolvers);
  expect(way.data.app).toMatchObject({ packageId: published.app.packageId, description: null, tags: ['notes', 'écrire'], status: 'PUBLISHED' });
  expect(way.data.app.latestVersion.versionCode).toBe(1);
  expect(way.data.app.developer.email).toBe(owner.email);
});

it('keeps aliases, __typename and fragments in the order asked for', async () => {
  const query = `query ($id: ID!) {
    kind: __typename
    first: app(id: $id) { __typename ...Names latestVersion { code: versionCode, ... on AppVersion { versionName } } }
    again: app(id: $id) { id }
  }
  fragment Names on App { title: name, packageId id title: name }`;
  const way = await bothWays(query, { id: published.app.id }, owner.token);
  expect(way.bySql).toBe(true);
  expect(way.known).toEqual(way.resolvers);
  expect(Object.keys(way.data.first)).toEqual(['__typename', 'title', 'packageId', 'id', 'latestVersion']);
});

it('escapes strings exactly as JSON.stringify does', async () => {
  const way = await bothWays(`query ($id: ID!) { app(id: $id) { name description } }`, { id: draft.id }, owner.token);
  expect(way.bySql).toBe(true);
  expect(way.known).toEqual(way.resolvers);
  expect(way.data.app.name).toBe('Quote " back\\slash \u0001 tab\there');
});

it('sends a package size as a number up to 2^53 - 1 and as a string beyond, as graphql-scalars does', async () => {
  const query = `query ($id: ID!) { app(id: $id) { latestVersion { packageSize } } }`;
  for (const size of ['9007199254740991', '9007199254740992', '9223372036854775807']) {
    await server.db.query('UPDATE app_versions SET package_size = $1 WHERE id = $2', [size, published.version.id]);
    const way = await bothWays(query, { id: published.app.id });
    expect(way.bySql).toBe(true);
    expect(way.known).toEqual(way.resolvers);
  }
  expect(JSON.parse((await send(query, { id: published.app.id })).body).data.app.latestVersion.packageSize).toBe('9223372036854775807');
});

it('shows each viewer the apps the resolvers show them, page by page', async () => {
  const extra = [await createApp(server, owner.token), await createApp(server, owner.token)];
  const list = `query ($developerId: ID, $first: Int, $after: String, $last: Int, $before: String, $status: AppStatus) {
    apps(developerId: $developerId, first: $first, after: $after, last: $last, before: $before, status: $status) { __typename edges { __typename node { id name status } } }
  }`;
  const cursors = await server.graphql(`query ($d: ID) { apps(developerId: $d, first: 10) { edges { cursor node { id } } } }`, { d: owner.id }, owner.token);
  const [, second, third] = cursors.data.apps.edges.map((edge: { cursor: string }) => edge.cursor);
  for (const [variables, token] of [
    [{ developerId: owner.id, first: 10 }, owner.token], // drafts included: theirs
    [{ developerId: owner.id, first: 10 }, stranger.token], // published only
    [{ developerId: owner.id }, undefined],
    [{ developerId: owner.id, first: 2, after: second }, owner.token],
    [{ developerId: owner.id, last: 1, before: third }, owner.token],
    [{ status: 'DRAFT', first: 5 }, admin.token],
  ] as const) {
    const way = await bothWays(list, variables, token);
    expect(way.bySql).toBe(true);
    expect(way.known).toEqual(way.resolvers);
  }
  const mine = (await bothWays(list, { developerId: owner.id, first: 10 }, owner.token)).data.apps.edges.map((e: any) => e.node.id);
  expect(mine).toEqual(expect.arrayContaining([...extra.map((app) => app.id), draft.id, published.app.id]));
});

it('answers null for an app that does not exist or that the caller may not see', async () => {
  const query = `query ($id: ID!) { app(id: $id) { id } }`;
  for (const [id, token] of [['00000000-0000-4000-8000-000000000000', owner.token], [draft.id, stranger.token], [draft.id, undefined]] as const) {
    const way = await bothWays(query, { id }, token);
    expect(way.bySql).toBe(true);
    expect(way.known).toEqual(way.resolvers);
    expect(way.data).toEqual({ app: null });
  }
});

it('answers telemetry events to their app developer and admins, newest first', async () => {
  const query = `query ($appId: ID!, $from: DateTime!, $to: DateTime!, $type: String, $after: String) {
    telemetryEvents(appId: $appId, from: $from, to: $to, eventType: $type, first: 2, after: $after) { edges { node { id appId eventType eventData mosisVersion appVersion timestamp } } }
  }`;
  const range = { appId: events.appId, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() };
  const page = await server.graphql(`query ($appId: ID!, $from: DateTime!, $to: DateTime!) { telemetryEvents(appId: $appId, from: $from, to: $to, first: 1) { edges { cursor } } }`, range, events.key);
  for (const [variables, token] of [
    [range, events.key],
    [{ ...range, type: 'app_open' }, events.developer.token],
    [{ ...range, after: page.data.telemetryEvents.edges[0].cursor }, events.key],
    [range, admin.token],
  ] as const) {
    const way = await bothWays(query, variables, token);
    expect(way.bySql).toBe(true);
    expect(way.known).toEqual(way.resolvers);
  }
  const all = (await bothWays(query, range, events.key)).data.telemetryEvents.edges;
  expect(all.map((edge: any) => edge.node.eventType)).toEqual(['purchase', 'app_open']);
});

it('answers crash groups with their statistics, page by page', async () => {
  const query = `query ($appId: ID!, $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {
    crashGroups(appId: $appId, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {
      edges { node { fingerprint crashType title count affectedDevices firstSeen lastSeen appVersions } }
    }
  }`;
  const page = await server.graphql(`query ($appId: ID!) { crashGroups(appId: $appId, first: 3) { edges { cursor } } }`, { appId: events.appId }, events.key);
  const [first, second] = page.data.crashGroups.edges.map((edge: { cursor: string }) => edge.cursor);
  for (const variables of [
    { appId: events.appId },
    { appId: events.appId, first: 2, after: first },
    { appId: events.appId, last: 1, before: second },
    { appId: events.appId, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() },
    { appId: events.appId, to: '2020-01-01T00:00:00Z' },
  ]) {
    const way = await bothWays(query, variables, events.key);
    expect(way.bySql).toBe(true);
    expect(way.known).toEqual(way.resolvers);
  }
  const groups = (await bothWays(query, { appId: events.appId }, events.key)).data.crashGroups.edges.map((edge: any) => edge.node);
  expect(groups.map((group: any) => [group.count, group.affectedDevices])).toEqual([[3, 3], [2, 2], [1, 1]]);
  const refused = await bothWays(query, { appId: events.appId }, stranger.token);
  expect(refused.bySql).toBe(false);
  expect(JSON.parse(refused.known.body).errors[0].extensions.code).toBe('FORBIDDEN');
});

it('leaves the refusals to the resolvers, with their errors', async () => {
  const noTelemetry = await createApiKey(server, events.developer.token, ['apps:read']);
  const query = `query ($appId: ID!, $first: Int) { telemetryEvents(appId: $appId, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", first: $first) { edges { node { id } } } }`;
  for (const [variables, token, code] of [
    [{ appId: events.appId }, stranger.token, 'FORBIDDEN'], // may see the app, not its telemetry
    [{ appId: draft.id }, events.developer.token, 'NOT_FOUND'], // may not even see it
    [{ appId: events.appId }, noTelemetry.secret, 'FORBIDDEN'], // key without telemetry:read
    [{ appId: events.appId }, undefined, 'UNAUTHENTICATED'],
    [{ appId: events.appId, first: 500 }, events.key, 'BAD_USER_INPUT'],
    [{ appId: 'not-an-id' }, events.key, 'BAD_USER_INPUT'],
  ] as const) {
    const way = await bothWays(query, variables, token);
    expect(way.bySql).toBe(false);
    expect(way.known).toEqual(way.resolvers);
    expect(JSON.parse(way.known.body).errors[0].extensions.code).toBe(code);
  }
});

it('leaves to the resolvers what SQL does not render: cursors, pageInfo, counts, directives, per-row rules', async () => {
  const variables = { developerId: owner.id };
  for (const [query, token] of [
    [`query ($developerId: ID) { apps(developerId: $developerId) { edges { cursor node { id } } } }`, owner.token],
    [`query ($developerId: ID) { apps(developerId: $developerId) { pageInfo { hasNextPage } edges { node { id } } } }`, owner.token],
    [`query ($developerId: ID) { apps(developerId: $developerId) { totalCount } }`, owner.token],
    [`query ($developerId: ID) { apps(developerId: $developerId) { edges { node { id name @include(if: true) } } } }`, owner.token],
    [`query ($developerId: ID) { apps(developerId: $developerId) { edges { node { developer { email } } } } }`, owner.token], // their own email
    [`query ($developerId: ID) { apps(developerId: $developerId) { edges { node { latestVersion { rollout { state } } } } } }`, owner.token],
  ] as const) {
    const way = await bothWays(query, variables, token);
    expect(way.bySql).toBe(false);
    expect(way.known).toEqual(way.resolvers);
  }
});

it('does not answer through a key revoked after its query became known', async () => {
  const key = await createApiKey(server, owner.token, ['apps:read']);
  const query = `query ($id: ID!) { app(id: $id) { id name } }`;
  expect(JSON.parse((await send(query, { id: draft.id }, key.secret)).body).data.app.id).toBe(draft.id);
  expect(JSON.parse((await send(query, { id: draft.id }, key.secret)).body).data.app.id).toBe(draft.id);
  const revoked = await server.graphql(`mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: key.id }, owner.token);
  expect(revoked.errors).toBeUndefined();
  const after = await send(query, { id: draft.id }, key.secret);
  expect(after.status).toBe(401);
  const body = JSON.parse(after.body);
  expect(body.data ?? null).toBeNull();
  expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
});

it('reads one statement for a rendered answer', async () => {
  const query = `query ($packageId: String!) { app(packageId: $packageId) { id developer { name } latestVersion { versionCode } } }`;
  await send(query, { packageId: published.app.packageId }, admin.token);
  await send(query, { packageId: published.app.packageId }, admin.token);
  server.statements.reset();
  await send(query, { packageId: published.app.packageId }, admin.token);
  expect(server.statements.count).toBe(1);
});
