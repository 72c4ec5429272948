import { createApiKey, createApp, signUp, type SignedUpDeveloper } from './helpers/factories';
import { parseMetrics, valueOf } from './helpers/metrics';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * A query text the server has validated before is answered without Apollo Server's pipeline
 * (src/http/direct-queries.ts). Clients must not be able to tell: every answer here is compared,
 * byte for byte, with Apollo's answer to the same request.
 */
let server: TestServer;
let owner: SignedUpDeveloper;
let stranger: SignedUpDeveloper;
let app: { id: string; packageId: string };
beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server);
  stranger = await signUp(server);
  app = await createApp(server, owner.token);
});
afterAll(() => server.close());

interface Answer {
  status: number;
  type: string | null;
  body: string;
}

async function send(target: TestServer, request: object, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await target.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(request),
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function directAnswers(): Promise<number> {
  const samples = parseMetrics(await (await server.fetch('/metrics')).text());
  return valueOf(samples, 'mosis_graphql_direct_operations_total') ?? 0;
}

let unseenCount = 0;
/** The same operation in a text the server has not seen yet (trailing spaces), so Apollo answers it. */
const unseen = (query: string) => query + ' '.repeat(++unseenCount);

/** Apollo's answer to `request` (as an unseen text) and the answer to the known text, with how many were direct. */
async function bothWays(request: { query: string; variables?: object; operationName?: string }, headers: Record<string, string> = {}) {
  const viaApollo = await send(server, { ...request, query: unseen(request.query) }, headers);
  const before = await directAnswers();
  const known = await send(server, request, headers);
  return { viaApollo, known, direct: (await directAnswers()) - before };
}

const APP = `query App($id: ID!) { app(id: $id) { id packageId name status developer { id name } latestVersion { versionCode } } }`;
const APPS = `query Apps($first: Int, $status: AppStatus) { apps(first: $first, status: $status) { edges { cursor node { id } } pageInfo { hasNextPage } } }`;
const DAILY = `query Daily($appId: ID!) { telemetryDaily(appId: $appId, from: "2026-01-01", to: "2026-01-31") { date count } }`;

it('answers a query text seen before directly, with the same status, content type and bytes as Apollo', async () => {
  await send(server, { query: APP, variables: { id: app.id } }, bearer(owner.token));
  const { viaApollo, known, direct } = await bothWays({ query: APP, variables: { id: app.id } }, bearer(owner.token));
  expect(direct).toBe(1);
  expect(known).toEqual(viaApollo);
  expect(known.status).toBe(200);
  expect(JSON.parse(known.body).data.app).toMatchObject({ id: app.id, packageId: app.packageId, developer: { id: owner.id } });
});

it('runs the operation the request names, from a document holding several', async () => {
  const document = `query Id($id: ID!) { app(id: $id) { id } } query Name($id: ID!) { app(id: $id) { name } }`;
  for (const operationName of ['Id', 'Name', 'Id']) {
    const { viaApollo, known } = await bothWays({ query: document, operationName, variables: { id: app.id } }, bearer(owner.token));
    expect(known).toEqual(viaApollo);
    expect(Object.keys(JSON.parse(known.body).data.app)).toEqual([operationName === 'Id' ? 'id' : 'name']);
  }
});

it('leaves errors to Apollo: a refused read is reported as before and runs once', async () => {
  const request = { query: DAILY, variables: { appId: app.id } };
  await send(server, request, bearer(stranger.token));
  server.statements.reset();
  const viaApollo = await send(server, { ...request, query: unseen(DAILY) }, bearer(stranger.token));
  const statementsViaApollo = server.statements.count;
  server.statements.reset();
  const known = await send(server, request, bearer(stranger.token));
  expect(known).toEqual(viaApollo);
  expect(JSON.parse(known.body).errors[0].extensions.code).toMatch(/FORBIDDEN|NOT_FOUND/);
  expect(server.statements.count).toBe(statementsViaApollo);
});

it('leaves bad variables, costly pages, NUL bytes and a bad token to Apollo, which answers as before', async () => {
  await send(server, { query: APPS, variables: { first: 5 } }, bearer(owner.token));
  const cases: [object, Record<string, string>][] = [
    [{ first: 'five' }, bearer(owner.token)],
    [{ first: 10_000 }, bearer(owner.token)],
    [{ first: 5, status: 'NOT_A_STATUS' }, bearer(owner.token)],
    [{ first: 5 }, bearer('mk_not-a-key')],
  ];
  for (const [variables, headers] of cases) {
    const { viaApollo, known, direct } = await bothWays({ query: APPS, variables }, headers);
    expect(direct).toBe(0);
    expect(known).toEqual(viaApollo);
    expect(JSON.parse(known.body).errors).toHaveLength(1);
  }
  const SEARCH = `query Search($q: String) { searchApps(query: $q) { edges { node { id } } } }`;
  await send(server, { query: SEARCH, variables: { q: 'photo' } });
  const { viaApollo, known } = await bothWays({ query: SEARCH, variables: { q: 'pho\u0000to' } });
  expect(known).toEqual(viaApollo);
  expect(JSON.parse(known.body).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
});

it('chooses the response media type from Accept as Apollo does', async () => {
  const request = { query: APP, variables: { id: app.id } };
  const accepts = ['application/graphql-response+json, application/json;q=0.9', 'application/json', '*/*', 'image/png'];
  for (const accept of accepts) {
    const { viaApollo, known } = await bothWays(request, { ...bearer(owner.token), accept });
    expect(known).toEqual(viaApollo);
  }
  const { known: refused } = await bothWays(request, { ...bearer(owner.token), accept: 'image/png' });
  expect(refused.status).toBe(406);
});

it('counts each request once against the rate limit, however it is answered', async () => {
  const limited = await startTestServer({ RATE_LIMITS: 'on', RATE_LIMIT_GRAPHQL_PER_MINUTE: '4' });
  try {
    const developer = await signUp(limited);
    const key = await createApiKey(limited, developer.token, ['apps:read', 'telemetry:read']);
    const other = await createApp(limited, (await signUp(limited)).token);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      // A success, then a refused read: one answered directly, one handed to Apollo.
      const request = i % 2 ? { query: DAILY, variables: { appId: other.id } } : { query: APP, variables: { id: other.id } };
      const answer = JSON.parse((await send(limited, request, bearer(key.secret))).body);
      codes.push(answer.errors?.[0]?.extensions.code ?? 'OK');
    }
    expect(codes.slice(0, 4)).not.toContain('RATE_LIMITED');
    expect(codes[4]).toBe('RATE_LIMITED');
  } finally {
    await limited.close();
  }
});
