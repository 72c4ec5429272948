import { createApiKey, createApp, signUp, signUpWithRole } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

/**
 * The server remembers what a token resolved to, so a hot read needs no lookup statement of its
 * own. Changes made behind its back (by another server process, `npx mosis`, or SQL, all
 * simulated here by writing to the database directly) must still apply to the very next request.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ME = `{ me { id role } }`;
const APP = `query ($packageId: String!) { app(packageId: $packageId) { id status developer { id } } }`;
const DAILY = `query ($appId: ID!) { telemetryDaily(appId: $appId, from: "2026-01-01", to: "2026-01-31") { date count } }`;

async function statementsFor(query: string, variables: Record<string, unknown>, token: string): Promise<number> {
  server.statements.reset();
  const result = await server.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return server.statements.count;
}

it('a key revoked elsewhere is refused on its next request: a hot read, a plain read and a mutation', async () => {
  const dev = await signUp(server);
  const key = await createApiKey(server, dev.token, ['apps:read', 'apps:write']);
  const app = await createApp(server, dev.token);
  expect((await server.graphql(APP, { packageId: app.packageId }, key.secret)).data.app.id).toBe(app.id);
  expect((await server.graphql(ME, {}, key.secret)).data.me.id).toBe(dev.id);

  await server.db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [key.id]);
  for (const [query, variables] of [[APP, { packageId: app.packageId }], [ME, {}]] as const) {
    const result = await server.graphql(query, variables, key.secret);
    expect(errorOf(result).code).toBe('UNAUTHENTICATED');
    expect(result.status).toBe(401);
    expect(result.data?.app ?? result.data?.me ?? null).toBeNull();
  }
  const [{ count: before }] = await server.db.query(`SELECT count(*)::int AS count FROM apps WHERE developer_id = $1`, [dev.id]);
  const created = await server.graphql(
    `mutation { createApp(input: { packageId: "com.cache.revoked", name: "Late" }) { id } }`, {}, key.secret,
  );
  expect(errorOf(created).code).toBe('UNAUTHENTICATED');
  const [{ count: after }] = await server.db.query(`SELECT count(*)::int AS count FROM apps WHERE developer_id = $1`, [dev.id]);
  expect(after).toBe(before);
});

it('a session signed out elsewhere is refused on its next request', async () => {
  const dev = await signUp(server);
  expect((await server.graphql(ME, {}, dev.token)).data.me.id).toBe(dev.id);
  await server.db.query(`UPDATE sessions SET revoked_at = now() WHERE developer_id = $1`, [dev.id]);
  expect(errorOf(await server.graphql(ME, {}, dev.token)).code).toBe('UNAUTHENTICATED');
});

it('a role taken away elsewhere applies to the next read, even one that re-checks in its own statement', async () => {
  const owner = await signUp(server);
  const draft = await createApp(server, owner.token);
  const admin = await signUpWithRole(server, 'admin');
  expect((await server.graphql(APP, { packageId: draft.packageId }, admin.token)).data.app.status).toBe('DRAFT');
  expect((await server.graphql(DAILY, { appId: draft.id }, admin.token)).data.telemetryDaily).toEqual([]);

  await server.db.query(`UPDATE developers SET role = 'developer' WHERE id = $1`, [admin.id]);
  const app = await server.graphql(APP, { packageId: draft.packageId }, admin.token);
  expect(app.errors).toBeUndefined();
  expect(app.data.app).toBeNull(); // a stranger's draft is invisible to a developer
  expect(errorOf(await server.graphql(DAILY, { appId: draft.id }, admin.token)).code).toMatch(/^(NOT_FOUND|FORBIDDEN)$/);
  expect((await server.graphql(ME, {}, admin.token)).data.me.role).toBe('DEVELOPER');
});

it('a role granted elsewhere applies to the next read too', async () => {
  const owner = await signUp(server);
  const draft = await createApp(server, owner.token);
  const reviewer = await signUp(server);
  expect((await server.graphql(APP, { packageId: draft.packageId }, reviewer.token)).data.app).toBeNull();
  await server.db.query(`UPDATE developers SET role = 'reviewer' WHERE id = $1`, [reviewer.id]);
  expect((await server.graphql(APP, { packageId: draft.packageId }, reviewer.token)).data.app.id).toBe(draft.id);
});

it('scopes narrowed elsewhere apply to the next request', async () => {
  const dev = await signUp(server);
  const key = await createApiKey(server, dev.token, ['apps:read', 'account:read']);
  const email = `{ me { email } }`;
  expect((await server.graphql(email, {}, key.secret)).data.me.email).toBe(dev.email);
  await server.db.query(`UPDATE api_keys SET permissions = '["apps:read"]' WHERE id = $1`, [key.id]);
  expect(errorOf(await server.graphql(email, {}, key.secret)).code).toBe('FORBIDDEN');
});

it('a remembered credential costs no statement of its own on a hot read, and one on other reads', async () => {
  const dev = await signUp(server);
  const app = await createApp(server, dev.token);
  const key = await createApiKey(server, dev.token, ['apps:read', 'telemetry:read']);
  expect(await statementsFor(APP, { packageId: app.packageId }, key.secret)).toBe(3); // first use: the lookup, lastUsedAt, the read
  expect(await statementsFor(APP, { packageId: app.packageId }, key.secret)).toBe(1); // the read re-checks the key itself
  expect(await statementsFor(DAILY, { appId: app.id }, key.secret)).toBe(1);
  expect(await statementsFor(ME, {}, key.secret)).toBe(2); // the developer, and the key's own check
});
