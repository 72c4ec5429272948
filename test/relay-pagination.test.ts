import { createApiKey, createApp, createVersion, registerSigningKey, signUp, versionInput } from './helpers/factories';
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
  name: string;
  query: string;
  connectionOf: (data: any) => any;
}

async function fixture() {
  const owner = await signUp(server);
  const key = await registerSigningKey(server, owner.token);
  const app = await createApp(server, owner.token);
  for (let code = 1; code <= 5; code++) await createVersion(server, owner.token, versionInput(app, key, code));
  for (let i = 0; i < 4; i++) await createApp(server, owner.token);
  for (let i = 0; i < 3; i++) await createApiKey(server, owner.token, [], { name: `k${i}` });
  return { owner, app };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;
let world: Fixture;
beforeAll(async () => {
  world = await fixture();
});

const LISTS: ((w: Fixture) => List & { vars: Record<string, unknown> })[] = [
  (w) => ({ name: 'apps', query: `query (${VARS}, $dev: ID) { apps(developerId: $dev, ${ARGS}) { ${PAGE} } }`, vars: { dev: w.owner.id }, connectionOf: (d) => d.apps }),
  () => ({ name: 'Developer.apps', query: `query (${VARS}) { me { apps(${ARGS}) { ${PAGE} } } }`, vars: {}, connectionOf: (d) => d.me.apps }),
  (w) => ({ name: 'App.versions', query: `query (${VARS}, $id: ID!) { app(id: $id) { versions(${ARGS}) { ${PAGE} } } }`, vars: { id: w.app.id }, connectionOf: (d) => d.app.versions }),
  () => ({ name: 'auditLogs', query: `query (${VARS}) { auditLogs(${ARGS}) { ${PAGE} } }`, vars: {}, connectionOf: (d) => d.auditLogs }),
];

async function page(list: List & { vars: Record<string, unknown> }, paging: Record<string, unknown>) {
  const result = await server.graphql(list.query, { ...list.vars, ...paging }, world.owner.token);
  if (result.errors) throw new Error(`${list.name}: ${JSON.stringify(result.errors)}`);
  return list.connectionOf(result.data);
}

describe.each(LISTS.map((make) => [make]))('%#', (make) => {
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
      const result = await server.graphql(list.query, { ...list.vars, ...paging }, world.owner.token);
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});
