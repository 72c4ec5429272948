import {
  createApiKey, createApp, createVersion, publishedApp, registerSigningKey, signUp, signUpWithRole, versionInput,
} from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name permissions } } }`;
const REVOKE_KEY = `mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;

/** The kind of key shipped inside a device app. */
async function deviceKey() {
  const dev = await signUp(server);
  const full = await createApiKey(server, dev.token, ['apps:read', 'apps:write', 'telemetry:read', 'telemetry:write']);
  const device = await createApiKey(server, dev.token, ['telemetry:write']);
  return { dev, full, device };
}

describe('a key without the account scopes (finding 4)', () => {
  it('cannot create keys: FORBIDDEN, and nothing is created', async () => {
    const { dev, device } = await deviceKey();
    const result = await server.graphql(CREATE_KEY, { input: { name: 'minted', permissions: [] } }, device.secret);
    expect(errorOf(result)).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(result).message).toContain('account:write');
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM api_keys WHERE developer_id = $1`, [dev.id]);
    expect(count).toBe(2);
  });

  it("cannot revoke the developer's other keys: FORBIDDEN, and the key keeps working", async () => {
    const { full, device } = await deviceKey();
    expect(errorOf(await server.graphql(REVOKE_KEY, { id: full.id }, device.secret))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await server.graphql(`{ me { id } }`, {}, full.secret)).errors).toBeUndefined();
  });

  it.each([
    ['me.email', `{ me { email } }`],
    ['me.apiKeys', `{ me { apiKeys { id } } }`],
    ['auditLogs', `{ auditLogs { edges { node { ip } } } }`],
    ['developerByEmail', `query ($email: String!) { developerByEmail(email: $email) { id } }`],
  ])('cannot read %s: FORBIDDEN, never a silent null', async (_label, query) => {
    const { dev, device } = await deviceKey();
    const result = await server.graphql(query, { email: dev.email }, device.secret);
    expect(errorOf(result)).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(result).message).toContain('account:read');
  });

  it('still reads me { id name role }', async () => {
    const { dev, device } = await deviceKey();
    const result = await server.graphql(`{ me { id name role } }`, {}, device.secret);
    expect(result.errors).toBeUndefined();
    expect(result.data.me).toEqual({ id: dev.id, name: 'Test Developer', role: 'DEVELOPER' });
  });
});

describe('account:read and account:write', () => {
  it('account:read reads email, keys and the audit log, and cannot mint keys', async () => {
    const dev = await signUp(server);
    const reader = await createApiKey(server, dev.token, ['account:read']);
    const result = await server.graphql(`{ me { email apiKeys { id } } auditLogs { totalCount } }`, {}, reader.secret);
    expect(result.errors).toBeUndefined();
    expect(result.data.me.email).toBe(dev.email);
    expect(result.data.me.apiKeys.map((k: { id: string }) => k.id)).toEqual([reader.id]);
    expect(result.data.auditLogs.totalCount).toBeGreaterThan(0);
    expect(errorOf(await server.graphql(CREATE_KEY, { input: { name: 'x', permissions: [] } }, reader.secret)).code).toBe('FORBIDDEN');
  });

  it('account:write mints and revokes keys and reads the ApiKey they return, but grants nothing it lacks', async () => {
    const dev = await signUp(server);
    const writer = await createApiKey(server, dev.token, ['account:write', 'telemetry:write']);
    const minted = await server.graphql(CREATE_KEY, { input: { name: 'device', permissions: ['telemetry:write'] } }, writer.secret);
    expect(minted.data.createApiKey.apiKey).toMatchObject({ name: 'device', permissions: ['telemetry:write'] });
    const revoked = await server.graphql(REVOKE_KEY, { id: minted.data.createApiKey.apiKey.id }, writer.secret);
    expect(revoked.data.revokeApiKey.revokedAt).not.toBeNull();

    for (const permissions of [['account:read'], ['apps:read', 'telemetry:write']]) {
      const wider = await server.graphql(CREATE_KEY, { input: { name: 'wider', permissions } }, writer.secret);
      expect(errorOf(wider)).toMatchObject({ code: 'FORBIDDEN' });
      expect(errorOf(wider).message).toContain(permissions[0]);
    }
  });

  it('a session carries both: it creates keys with them', async () => {
    const dev = await signUp(server);
    const result = await server.graphql(CREATE_KEY, { input: { name: 'console', permissions: ['account:read', 'account:write'] } }, dev.token);
    expect(result.data.createApiKey.apiKey.permissions).toEqual(['account:read', 'account:write']);
  });

  it('the database refuses a key with a permission the API does not know', async () => {
    const dev = await signUp(server);
    await expect(
      server.db.query(
        `INSERT INTO api_keys (developer_id, name, key_hash, key_prefix, permissions) VALUES ($1, 'bad', 'x', 'mk_x', '["root"]')`,
        [dev.id],
      ),
    ).rejects.toThrow(/api_keys_permissions_known/);
  });
});

describe('four eyes on reviews (finding 4)', () => {
  const APPROVE = `mutation ($id: ID!) { approveVersion(id: $id, notes: "fine") { status } }`;
  const REJECT = `mutation ($id: ID!) { rejectVersion(id: $id, notes: "not fine") { status } }`;

  it.each([['a reviewer', 'reviewer'], ['an admin', 'admin']] as const)('%s cannot approve or reject a version of their own app', async (_who, role) => {
    const staff = await signUpWithRole(server, role);
    const key = await registerSigningKey(server, staff.token);
    const app = await createApp(server, staff.token);
    const version = await createVersion(server, staff.token, versionInput(app, key, 1));
    await server.graphql(`mutation ($id: ID!) { submitVersionForReview(id: $id) { status } }`, { id: version.id }, staff.token);

    for (const mutation of [APPROVE, REJECT]) {
      const result = await server.graphql(mutation, { id: version.id }, staff.token);
      expect(errorOf(result)).toMatchObject({ code: 'FORBIDDEN' });
      expect(errorOf(result).message).toMatch(/another reviewer or admin/);
    }
    const [{ status }] = await server.db.query(`SELECT status FROM app_versions WHERE id = $1`, [version.id]);
    expect(status).toBe('review');

    const other = await signUpWithRole(server, 'reviewer');
    expect((await server.graphql(APPROVE, { id: version.id }, other.token)).data.approveVersion.status).toBe('APPROVED');
  });

  it('other reviewers still review as before', async () => {
    const { version } = await publishedApp(server);
    const [{ status }] = await server.db.query(`SELECT status FROM app_versions WHERE id = $1`, [version.id]);
    expect(status).toBe('published');
  });
});
