import { createApiKey, signUp, signUpWithRole } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ME = `{ me { id } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name prefix permissions expiresAt revokedAt lastUsedAt createdAt } }
}`;

describe('createApiKey', () => {
  it('returns an mk_ secret once, with a display prefix, and the key authenticates as its developer', async () => {
    const dev = await signUp(server);
    const result = await server.graphql(CREATE_KEY, { input: { name: 'CI', permissions: ['apps:read', 'telemetry:write'] } }, dev.token);
    const { secret, apiKey } = result.data.createApiKey;
    expect(secret).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'CI', permissions: ['apps:read', 'telemetry:write'], revokedAt: null });
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix.length).toBeLessThan(secret.length / 3);

    expect((await server.graphql(ME, {}, secret)).data.me.id).toBe(dev.id);
    const listed = await server.graphql(`{ me { apiKeys { id name prefix } } }`, {}, dev.token);
    expect(listed.data.me.apiKeys).toEqual([{ id: apiKey.id, name: 'CI', prefix: apiKey.prefix }]);
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it('stores only a hash: the secret appears nowhere in the database', async () => {
    const dev = await signUp(server);
    const key = await createApiKey(server, dev.token, ['apps:read']);
    const rows = await server.db.query(`SELECT k::text AS row FROM api_keys k UNION ALL SELECT a::text FROM audit_logs a`);
    for (const { row } of rows) expect(row).not.toContain(key.secret);
  });

  it.each([
    ['an unknown permission', { name: 'k', permissions: ['apps:delete'] }, 'permissions'],
    ['an expiry in the past', { name: 'k', permissions: ['apps:read'], expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    ['a blank name', { name: ' ', permissions: [] }, 'name'],
  ])('refuses %s with BAD_USER_INPUT and creates nothing', async (_label, input, field) => {
    const dev = await signUp(server);
    expect(errorOf(await server.graphql(CREATE_KEY, { input }, dev.token))).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM api_keys WHERE developer_id = $1`, [dev.id]);
    expect(count).toBe(0);
  });

  it('lets a key create a key with a subset of its scopes, and refuses more with FORBIDDEN', async () => {
    const dev = await signUp(server);
    const readOnly = await createApiKey(server, dev.token, ['apps:read', 'telemetry:read', 'account:write']);
    const narrower = await server.graphql(CREATE_KEY, { input: { name: 'narrow', permissions: ['apps:read'] } }, readOnly.secret);
    expect(narrower.data.createApiKey.apiKey.permissions).toEqual(['apps:read']);

    const wider = await server.graphql(CREATE_KEY, { input: { name: 'wide', permissions: ['apps:read', 'apps:write'] } }, readOnly.secret);
    expect(errorOf(wider)).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(wider).message).toContain('apps:write');
  });

  it('requires authentication', async () => {
    expect(errorOf(await server.graphql(CREATE_KEY, { input: { name: 'k', permissions: [] } })).code).toBe('UNAUTHENTICATED');
  });
});

describe('refused keys', () => {
  it('an unknown key is UNAUTHENTICATED (HTTP 401)', async () => {
    const result = await server.graphql(ME, {}, 'mk_' + 'x'.repeat(43));
    expect(result.status).toBe(401);
    expect(errorOf(result).code).toBe('UNAUTHENTICATED');
  });

  it('a revoked key is UNAUTHENTICATED, and revoking is recorded', async () => {
    const dev = await signUp(server);
    const key = await createApiKey(server, dev.token, ['apps:read']);
    const revoked = await server.graphql(`mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id: key.id }, dev.token);
    expect(revoked.data.revokeApiKey.revokedAt).not.toBeNull();
    expect(errorOf(await server.graphql(ME, {}, key.secret)).code).toBe('UNAUTHENTICATED');
    const audit = await server.db.query(`SELECT action FROM audit_logs WHERE target_id = $1 ORDER BY id`, [key.id]);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['api_key.create', 'api_key.revoke']);
  });

  it('an expired key is UNAUTHENTICATED', async () => {
    const dev = await signUp(server);
    const key = await createApiKey(server, dev.token, ['apps:read'], { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await server.graphql(ME, {}, key.secret)).data.me.id).toBe(dev.id);
    await server.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [key.id]);
    expect(errorOf(await server.graphql(ME, {}, key.secret)).code).toBe('UNAUTHENTICATED');
  });
});

describe('other developers\' keys', () => {
  it('cannot be listed: FORBIDDEN on Developer.apiKeys', async () => {
    const owner = await signUp(server);
    const stranger = await signUp(server);
    await createApiKey(server, owner.token, ['apps:read']);
    const admin = await signUpWithRole(server, 'admin');
    const query = `query ($email: String!) { developerByEmail(email: $email) { apiKeys { id } } }`;
    expect((await server.graphql(query, { email: owner.email }, admin.token)).data.developerByEmail.apiKeys).toHaveLength(1);
    // A developer cannot even reach another developer through developerByEmail...
    expect(errorOf(await server.graphql(query, { email: owner.email }, stranger.token)).code).toBe('FORBIDDEN');
  });

  it('cannot be revoked: NOT_FOUND, and the key keeps working', async () => {
    const owner = await signUp(server);
    const stranger = await signUp(server);
    const key = await createApiKey(server, owner.token, ['apps:read']);
    const result = await server.graphql(`mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: key.id }, stranger.token);
    expect(errorOf(result).code).toBe('NOT_FOUND');
    expect((await server.graphql(ME, {}, key.secret)).data.me.id).toBe(owner.id);
  });

  it('a malformed id is BAD_USER_INPUT, not a server error', async () => {
    const dev = await signUp(server);
    const result = await server.graphql(`mutation { revokeApiKey(id: "42") { id } }`, {}, dev.token);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('lastUsedAt', () => {
  it('is set on use but not rewritten on every request', async () => {
    const dev = await signUp(server);
    const key = await createApiKey(server, dev.token, ['apps:read']);
    const lastUsed = async () =>
      (await server.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [key.id]))[0].last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();

    await server.graphql(ME, {}, key.secret);
    await waitFor(async () => (await lastUsed()) !== null);
    const first = await lastUsed();

    await server.graphql(ME, {}, key.secret);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await lastUsed()).toEqual(first);

    // Once the throttle window has passed (in the database and in the server's clock), the next use moves it forward.
    await server.db.query(`UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [key.id]);
    const realNow = Date.now;
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 120_000);
    try {
      await server.graphql(ME, {}, key.secret);
    } finally {
      jest.restoreAllMocks();
    }
    await waitFor(async () => ((await lastUsed())?.getTime() ?? 0) > Date.now() - 10_000);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
