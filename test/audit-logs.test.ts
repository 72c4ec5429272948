import { createApiKey, signUp, signUpWithRole } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const AUDIT = `query ($first: Int, $after: String) {
  auditLogs(first: $first, after: $after) {
    totalCount
    edges { cursor node { id actorId action targetType targetId metadata ip createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

it('lists the caller\'s own actions newest first, with ip and metadata', async () => {
  const dev = await signUp(server);
  const key = await createApiKey(server, dev.token, ['apps:read'], { name: 'deploy' });
  const result = await server.graphql(AUDIT, {}, dev.token);
  const nodes = result.data.auditLogs.edges.map((e: any) => e.node);
  expect(nodes.map((n: any) => n.action)).toEqual(['api_key.create', 'developer.sign_up']);
  expect(nodes[0]).toMatchObject({
    actorId: dev.id, targetType: 'api_key', targetId: key.id, ip: '127.0.0.1',
    metadata: { name: 'deploy', permissions: ['apps:read'] },
  });
  expect(result.data.auditLogs.totalCount).toBe(2);
});

it('pages with stable cursors', async () => {
  const dev = await signUp(server);
  for (let i = 0; i < 4; i++) await createApiKey(server, dev.token, [], { name: `k${i}` });
  const first = await server.graphql(AUDIT, { first: 3 }, dev.token);
  expect(first.data.auditLogs.pageInfo.hasNextPage).toBe(true);
  const second = await server.graphql(AUDIT, { first: 3, after: first.data.auditLogs.pageInfo.endCursor }, dev.token);
  expect(second.data.auditLogs.pageInfo.hasNextPage).toBe(false);
  const ids = [...first.data.auditLogs.edges, ...second.data.auditLogs.edges].map((e: any) => Number(e.node.id));
  expect(ids).toHaveLength(5);
  expect([...ids].sort((a, b) => b - a)).toEqual(ids);
});

it.each([
  [{ first: 0 }, 'first'],
  [{ first: 101 }, 'first'],
  [{ after: 'bm9wZQ' }, 'after'],
])('refuses bad paging %j with BAD_USER_INPUT', async (args, field) => {
  const dev = await signUp(server);
  expect(errorOf(await server.graphql(AUDIT, args, dev.token))).toMatchObject({ code: 'BAD_USER_INPUT', field });
});

it('never shows a developer another developer\'s rows; admins see everyone\'s', async () => {
  const alice = await signUp(server);
  const bob = await signUp(server);
  await createApiKey(server, bob.token, []);
  const aliceView = await server.graphql(AUDIT, { first: 100 }, alice.token);
  expect(aliceView.data.auditLogs.edges.every((e: any) => e.node.actorId === alice.id)).toBe(true);

  const admin = await signUpWithRole(server, 'admin');
  const adminView = await server.graphql(AUDIT, { first: 100 }, admin.token);
  const actors = new Set(adminView.data.auditLogs.edges.map((e: any) => e.node.actorId));
  expect(actors.has(alice.id) && actors.has(bob.id)).toBe(true);
});

it('requires authentication', async () => {
  expect(errorOf(await server.graphql(AUDIT)).code).toBe('UNAUTHENTICATED');
});

describe('the database itself keeps audit rows append-only', () => {
  // The test connects as the cluster's superuser: triggers bind superusers too.
  it.each([
    ['UPDATE', `UPDATE audit_logs SET action = 'tampered'`],
    ['DELETE', `DELETE FROM audit_logs`],
    ['TRUNCATE', `TRUNCATE audit_logs`],
  ])('refuses %s', async (_op, sql) => {
    await signUp(server);
    const [{ before }] = await server.db.query(`SELECT count(*)::int AS before FROM audit_logs`);
    await expect(server.db.query(sql)).rejects.toThrow(/append-only/);
    const [{ after }] = await server.db.query(`SELECT count(*)::int AS after FROM audit_logs`);
    expect(after).toBe(before);
  });

  it('the test role really is a superuser, so the refusal above is not just missing privileges', async () => {
    const [{ rolsuper }] = await server.db.query(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
    expect(rolsuper).toBe(true);
  });
});

it('rolls the audit row back with the change it records', async () => {
  const dev = await signUp(server);
  await signUp(server, { email: 'taken@example.com' });
  const [{ before }] = await server.db.query(`SELECT count(*)::int AS before FROM audit_logs WHERE action = 'developer.sign_up'`);
  const dup = await server.graphql(
    `mutation { signUp(input: {email: "TAKEN@example.com", name: "x", password: "long enough pw"}) { token } }`,
  );
  expect(errorOf(dup).code).toBe('CONFLICT');
  const [{ after }] = await server.db.query(`SELECT count(*)::int AS after FROM audit_logs WHERE action = 'developer.sign_up'`);
  expect(after).toBe(before);
  expect(dev.id).toBeDefined();
});
