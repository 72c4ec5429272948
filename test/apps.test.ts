import { createApiKey, createApp, publishedApp, signUp, signUpWithRole } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CREATE_APP = `mutation ($input: CreateAppInput!) { createApp(input: $input) { id packageId name description category tags status developer { id } } }`;
const APP_BY_ID = `query ($id: ID) { app(id: $id) { id status } }`;

describe('createApp', () => {
  it('creates a DRAFT app owned by the caller, with normalized tags', async () => {
    const dev = await signUp(server);
    const result = await server.graphql(CREATE_APP, {
      input: { packageId: 'com.example.notes', name: ' Notes ', description: 'Take notes', category: 'productivity', tags: [' Notes', 'notes', 'OFFLINE', ''] },
    }, dev.token);
    expect(result.data.createApp).toMatchObject({
      packageId: 'com.example.notes', name: 'Notes', category: 'productivity', tags: ['notes', 'offline'],
      status: 'DRAFT', developer: { id: dev.id },
    });
    const [audit] = await server.db.query(`SELECT action, actor_id FROM audit_logs WHERE target_id = $1`, [result.data.createApp.id]);
    expect(audit).toEqual({ action: 'app.create', actor_id: dev.id });
  });

  it.each(['notes', 'Com.example.app', 'com..app', 'com.example.1app', 'com.exa-mple.app', '.com.app'])(
    'refuses packageId %p with BAD_USER_INPUT', async (packageId) => {
      const dev = await signUp(server);
      const result = await server.graphql(CREATE_APP, { input: { packageId, name: 'X' } }, dev.token);
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'packageId' });
    },
  );

  it('refuses a taken packageId with CONFLICT, and more than 20 tags with BAD_USER_INPUT', async () => {
    const dev = await signUp(server);
    await createApp(server, dev.token, { packageId: 'com.example.taken' });
    const other = await signUp(server);
    expect(errorOf(await server.graphql(CREATE_APP, { input: { packageId: 'com.example.taken', name: 'Y' } }, other.token)))
      .toMatchObject({ code: 'CONFLICT', field: 'packageId' });
    const tags = Array.from({ length: 21 }, (_, i) => `tag${i}`);
    expect(errorOf(await server.graphql(CREATE_APP, { input: { packageId: 'com.example.tags', name: 'T', tags } }, dev.token)))
      .toMatchObject({ code: 'BAD_USER_INPUT', field: 'tags' });
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM apps WHERE package_id = 'com.example.tags'`);
    expect(count).toBe(0);
  });

  it('needs apps:write: a key without it gets FORBIDDEN, no credential gets UNAUTHENTICATED', async () => {
    const dev = await signUp(server);
    const readOnly = await createApiKey(server, dev.token, ['apps:read']);
    const input = { packageId: 'com.example.scoped', name: 'S' };
    expect(errorOf(await server.graphql(CREATE_APP, { input }, readOnly.secret)).code).toBe('FORBIDDEN');
    expect(errorOf(await server.graphql(CREATE_APP, { input })).code).toBe('UNAUTHENTICATED');
    const writer = await createApiKey(server, dev.token, ['apps:write']);
    expect((await server.graphql(CREATE_APP, { input }, writer.secret)).data.createApp.packageId).toBe('com.example.scoped');
  });
});

describe('visibility', () => {
  it('shows a draft to its owner, reviewers and admins, and to nobody else', async () => {
    const owner = await signUp(server);
    const app = await createApp(server, owner.token);
    const reviewer = await signUpWithRole(server, 'reviewer');
    const admin = await signUpWithRole(server, 'admin');
    const stranger = await signUp(server);
    for (const token of [owner.token, reviewer.token, admin.token]) {
      expect((await server.graphql(APP_BY_ID, { id: app.id }, token)).data.app.id).toBe(app.id);
    }
    expect((await server.graphql(APP_BY_ID, { id: app.id }, stranger.token)).data.app).toBeNull();
    expect((await server.graphql(APP_BY_ID, { id: app.id })).data.app).toBeNull();
    // A key without apps:read sees what an anonymous visitor sees.
    const telemetryKey = await createApiKey(server, owner.token, ['telemetry:read']);
    expect((await server.graphql(APP_BY_ID, { id: app.id }, telemetryKey.secret)).data.app).toBeNull();
  });

  it('finds published apps by id or packageId for anyone; asks for exactly one of them', async () => {
    const { app } = await publishedApp(server);
    expect((await server.graphql(`{ app(packageId: "${app.packageId}") { id status } }`)).data.app)
      .toEqual({ id: app.id, status: 'PUBLISHED' });
    expect(errorOf(await server.graphql(`{ app { id } }`)).code).toBe('BAD_USER_INPUT');
    expect(errorOf(await server.graphql(`{ app(id: "${app.id}", packageId: "x.y") { id } }`)).code).toBe('BAD_USER_INPUT');
  });

  it('lists a developer\'s apps: all of them for the owner, only published ones for others', async () => {
    const { owner, app: published } = await publishedApp(server);
    const draft = await createApp(server, owner.token);
    const query = `query ($developerId: ID, $status: AppStatus) { apps(developerId: $developerId, status: $status) { totalCount edges { node { id } } } }`;
    const mine = await server.graphql(query, { developerId: owner.id }, owner.token);
    expect(mine.data.apps.edges.map((e: any) => e.node.id)).toEqual([draft.id, published.id]);
    expect(mine.data.apps.totalCount).toBe(2);
    const theirs = await server.graphql(query, { developerId: owner.id });
    expect(theirs.data.apps.edges.map((e: any) => e.node.id)).toEqual([published.id]);
    const drafts = await server.graphql(query, { developerId: owner.id, status: 'DRAFT' }, owner.token);
    expect(drafts.data.apps.edges.map((e: any) => e.node.id)).toEqual([draft.id]);
  });

  it('pages apps with stable cursors', async () => {
    const dev = await signUp(server);
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await createApp(server, dev.token)).id);
    const query = `query ($after: String) { apps(developerId: "${dev.id}", first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await server.graphql(query, { after }, dev.token)).data.apps;
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...created].reverse());
  });
});

describe('updateApp', () => {
  const UPDATE = `mutation ($id: ID!, $input: UpdateAppInput!) { updateApp(id: $id, input: $input) { name description category tags } }`;

  it('changes only the fields given', async () => {
    const dev = await signUp(server);
    const app = await createApp(server, dev.token, { description: 'old', category: 'tools', tags: ['a'] });
    const result = await server.graphql(UPDATE, { id: app.id, input: { description: 'new', tags: ['B', 'b', 'c'] } }, dev.token);
    expect(result.data.updateApp).toEqual({ name: 'Test App', description: 'new', category: 'tools', tags: ['b', 'c'] });
  });

  it('refuses other developers before looking at their input: NOT_FOUND for a draft, FORBIDDEN for a published app', async () => {
    const owner = await signUp(server);
    const draft = await createApp(server, owner.token);
    const { app: published } = await publishedApp(server);
    const stranger = await signUp(server);
    const badInput = { name: '', tags: Array.from({ length: 30 }, (_, i) => `t${i}`) };
    expect(errorOf(await server.graphql(UPDATE, { id: draft.id, input: badInput }, stranger.token)).code).toBe('NOT_FOUND');
    expect(errorOf(await server.graphql(UPDATE, { id: published.id, input: badInput }, stranger.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await server.graphql(UPDATE, { id: draft.id, input: badInput }, owner.token)).code).toBe('BAD_USER_INPUT');
  });
});

describe('suspendApp', () => {
  it('is for admins only, and hides the app from strangers and from search while its owner still sees it', async () => {
    const { owner, app } = await publishedApp(server, { name: 'Suspendable Sudoku' });
    const admin = await signUpWithRole(server, 'admin');
    const SUSPEND = `mutation ($id: ID!, $reason: String!) { suspendApp(id: $id, reason: $reason) { status } }`;
    expect(errorOf(await server.graphql(SUSPEND, { id: app.id, reason: 'malware' }, owner.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await server.graphql(SUSPEND, { id: app.id, reason: ' ' }, admin.token))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });

    const search = `{ searchApps(query: "sudoku") { edges { node { id } } } }`;
    expect((await server.graphql(search)).data.searchApps.edges.map((e: any) => e.node.id)).toContain(app.id);

    expect((await server.graphql(SUSPEND, { id: app.id, reason: 'malware' }, admin.token)).data.suspendApp.status).toBe('SUSPENDED');
    expect((await server.graphql(APP_BY_ID, { id: app.id })).data.app).toBeNull();
    expect((await server.graphql(APP_BY_ID, { id: app.id }, (await signUp(server)).token)).data.app).toBeNull();
    expect((await server.graphql(search)).data.searchApps.edges.map((e: any) => e.node.id)).not.toContain(app.id);
    expect((await server.graphql(APP_BY_ID, { id: app.id }, owner.token)).data.app.status).toBe('SUSPENDED');
  });
});

describe('malformed arguments', () => {
  it.each([
    ['app(id)', `{ app(id: "42") { id } }`, 'id'],
    ['apps(developerId)', `{ apps(developerId: "someone") { totalCount } }`, 'developerId'],
    ['apps(after)', `{ apps(after: "bm90IGEgY3Vyc29y") { totalCount } }`, 'after'],
    ['apps(first)', `{ apps(first: 500) { totalCount } }`, 'first'],
    ['Developer.apps(after)', `{ me { apps(after: "WyJ4IiwieSJd") { totalCount } } }`, 'after'],
    ['App.versions(after)', `{ apps(first: 1) { edges { node { versions(after: "WyJ4Il0") { totalCount } } } } }`, 'after'],
  ])('%s is BAD_USER_INPUT naming the argument', async (_label, query, field) => {
    const dev = await signUp(server);
    await publishedApp(server);
    expect(errorOf(await server.graphql(query, {}, dev.token))).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
