import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  CREATE_VERSION, createApiKey, createApp, createVersion, generateSigningKey, publish, publishedApp, registerSigningKey,
  signUp, signUpWithRole, versionInput,
} from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function ownerWithApp() {
  const owner = await signUp(server);
  const key = await registerSigningKey(server, owner.token);
  const app = await createApp(server, owner.token);
  return { owner, key, app };
}

describe('createVersion', () => {
  it('accepts a correctly signed build as a DRAFT and records which key signed it', async () => {
    const { owner, key, app } = await ownerWithApp();
    const input = versionInput(app, key, 7);
    const result = await server.graphql(
      `mutation ($input: CreateVersionInput!) { createVersion(input: $input) {
         versionCode versionName packageUrl packageSize packageSha256 signature permissions status publishedAt app { id } } }`,
      { input }, owner.token,
    );
    expect(result.data.createVersion).toMatchObject({
      versionCode: 7, versionName: '1.7', packageSize: 1048576, packageSha256: input.packageSha256,
      permissions: ['network'], status: 'DRAFT', publishedAt: null, app: { id: app.id },
    });
    const [row] = await server.db.query(`SELECT signing_key_id FROM app_versions WHERE app_id = $1`, [app.id]);
    expect(row.signing_key_id).toBe(key.id);
  });

  it('takes package sizes beyond 2^31 bytes', async () => {
    const { owner, key, app } = await ownerWithApp();
    const result = await server.graphql(`mutation ($input: CreateVersionInput!) { createVersion(input: $input) { packageSize } }`,
      { input: versionInput(app, key, 1, { packageSize: '5000000000' }) }, owner.token);
    expect(result.data.createVersion.packageSize).toBe(5000000000);
  });

  it.each([
    ['a forged signature', (app: any, key: any) => versionInput(app, key, 1, { signature: randomBytes(64).toString('base64') })],
    ['a signature by a key that is not registered', (app: any) => versionInput(app, generateSigningKey(), 1)],
    ['a tampered packageSha256', (app: any, key: any) => ({ ...versionInput(app, key, 1), packageSha256: 'f'.repeat(64) })],
    ['a signature over another versionCode', (app: any, key: any) => ({ ...versionInput(app, key, 1), versionCode: 2 })],
    ['a signature that is not base64 of 64 bytes', (app: any, key: any) => versionInput(app, key, 1, { signature: 'abc' })],
  ])('refuses %s with BAD_USER_INPUT on signature, storing nothing', async (_label, makeInput) => {
    const { owner, key, app } = await ownerWithApp();
    const result = await server.graphql(CREATE_VERSION, { input: makeInput(app, key) }, owner.token);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signature' });
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM app_versions WHERE app_id = $1`, [app.id]);
    expect(count).toBe(0);
  });

  it('refuses a signature by another developer\'s registered key', async () => {
    const { owner, app } = await ownerWithApp();
    const other = await signUp(server);
    const othersKey = await registerSigningKey(server, other.token);
    const result = await server.graphql(CREATE_VERSION, { input: versionInput(app, othersKey, 1) }, owner.token);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signature' });
  });

  it.each([
    ['packageUrl', { packageUrl: 'http://cdn.example.com/a.mpk' }],
    ['packageUrl', { packageUrl: 'not a url' }],
    ['packageSize', { packageSize: '0' }],
    ['packageSha256', { packageSha256: 'ABC' }],
    ['versionName', { versionName: '' }],
    ['versionCode', { versionCode: 0 }],
  ])('refuses a bad %s with BAD_USER_INPUT', async (field, override) => {
    const { owner, key, app } = await ownerWithApp();
    const result = await server.graphql(CREATE_VERSION, { input: { ...versionInput(app, key, 1), ...override } }, owner.token);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a duplicate or lower versionCode with CONFLICT', async () => {
    const { owner, key, app } = await ownerWithApp();
    await createVersion(server, owner.token, versionInput(app, key, 5));
    for (const code of [5, 3]) {
      const result = await server.graphql(CREATE_VERSION, { input: versionInput(app, key, code) }, owner.token);
      expect(errorOf(result)).toMatchObject({ code: 'CONFLICT', field: 'versionCode' });
    }
    expect((await createVersion(server, owner.token, versionInput(app, key, 6))).versionCode).toBe(6);
  });

  it('refuses other developers: NOT_FOUND on a draft app, FORBIDDEN on a published one, whatever the input', async () => {
    const { app: draftApp, key } = await ownerWithApp();
    const { app: publicApp } = await publishedApp(server);
    const stranger = await signUp(server);
    await registerSigningKey(server, stranger.token);
    const garbage = { ...versionInput(draftApp, key, 1), packageUrl: 'ftp://x', signature: 'x' };
    expect(errorOf(await server.graphql(CREATE_VERSION, { input: garbage }, stranger.token)).code).toBe('NOT_FOUND');
    expect(errorOf(await server.graphql(CREATE_VERSION, { input: { ...garbage, appId: publicApp.id } }, stranger.token)).code).toBe('FORBIDDEN');
  });

  it('needs apps:write', async () => {
    const { owner, key, app } = await ownerWithApp();
    const reader = await createApiKey(server, owner.token, ['apps:read']);
    expect(errorOf(await server.graphql(CREATE_VERSION, { input: versionInput(app, key, 1) }, reader.secret)).code).toBe('FORBIDDEN');
  });
});

describe('signing keys', () => {
  const REGISTER = `mutation ($input: RegisterSigningKeyInput!) { registerSigningKey(input: $input) { id name publicKey fingerprint isActive } }`;

  it('registers an Ed25519 key with the SHA-256 fingerprint of its DER SPKI', async () => {
    const dev = await signUp(server);
    const key = generateSigningKey();
    const result = await server.graphql(REGISTER, { input: { name: 'ci', publicKey: key.publicKeyPem } }, dev.token);
    const der = require('node:crypto').createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' });
    const expected = require('node:crypto').createHash('sha256').update(der).digest('hex');
    expect(result.data.registerSigningKey).toMatchObject({ name: 'ci', fingerprint: expected, isActive: true });
    const listed = await server.graphql(`{ me { signingKeys { fingerprint } } }`, {}, dev.token);
    expect(listed.data.me.signingKeys).toEqual([{ fingerprint: expected }]);
  });

  it.each([
    ['garbage', 'hello'],
    ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ['a private key', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['a truncated PEM', generateSigningKey().publicKeyPem.slice(0, 60) + '\n-----END PUBLIC KEY-----\n'],
  ])('refuses %s with BAD_USER_INPUT on publicKey', async (_label, publicKey) => {
    const dev = await signUp(server);
    expect(errorOf(await server.graphql(REGISTER, { input: { name: 'k', publicKey } }, dev.token)))
      .toMatchObject({ code: 'BAD_USER_INPUT', field: 'publicKey' });
  });

  it('refuses a key already registered, by anyone, with CONFLICT', async () => {
    const key = generateSigningKey();
    await registerSigningKey(server, (await signUp(server)).token, key);
    const result = await server.graphql(REGISTER, { input: { name: 'again', publicKey: key.publicKeyPem } }, (await signUp(server)).token);
    expect(errorOf(result)).toMatchObject({ code: 'CONFLICT', field: 'publicKey' });
  });

  it('hides another developer\'s signing keys', async () => {
    const owner = await signUp(server);
    await registerSigningKey(server, owner.token);
    const admin = await signUpWithRole(server, 'admin');
    const query = `query ($email: String!) { developerByEmail(email: $email) { signingKeys { id } } }`;
    expect((await server.graphql(query, { email: owner.email }, admin.token)).data.developerByEmail.signingKeys).toHaveLength(1);
    const { app } = await publishedApp(server);
    const stranger = await signUp(server);
    const viaApp = await server.graphql(`{ app(id: "${app.id}") { developer { id signingKeys { id } } } }`, {}, stranger.token);
    expect(errorOf(viaApp).code).toBe('FORBIDDEN');
  });

  it('once deactivated, signs no new versions, while versions it signed stay published', async () => {
    const { owner, key, app, reviewer } = await publishedApp(server);
    const deactivated = await server.graphql(`mutation ($id: ID!) { deactivateSigningKey(id: $id) { isActive } }`, { id: key.id }, owner.token);
    expect(deactivated.data.deactivateSigningKey.isActive).toBe(false);
    const refused = await server.graphql(CREATE_VERSION, { input: versionInput(app, key, 2) }, owner.token);
    expect(errorOf(refused)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signature' });

    const latest = await server.graphql(`{ app(id: "${app.id}") { latestVersion { versionCode status } } }`);
    expect(latest.data.app.latestVersion).toEqual({ versionCode: 1, status: 'PUBLISHED' });

    const newKey = await registerSigningKey(server, owner.token);
    const v2 = await createVersion(server, owner.token, versionInput(app, newKey, 2));
    await publish(server, owner.token, reviewer.token, v2.id);
    expect((await server.graphql(`{ app(id: "${app.id}") { latestVersion { versionCode } } }`)).data.app.latestVersion.versionCode).toBe(2);
  });

  it('another developer cannot deactivate your key', async () => {
    const owner = await signUp(server);
    const key = await registerSigningKey(server, owner.token);
    const stranger = await signUp(server);
    const result = await server.graphql(`mutation ($id: ID!) { deactivateSigningKey(id: $id) { id } }`, { id: key.id }, stranger.token);
    expect(errorOf(result).code).toBe('NOT_FOUND');
  });
});

describe('the review workflow', () => {
  const STATUSES = ['draft', 'review', 'approved', 'published', 'rejected'] as const;
  const MUTATIONS = {
    submit: `mutation ($id: ID!) { submitVersionForReview(id: $id) { status } }`,
    approve: `mutation ($id: ID!) { approveVersion(id: $id, notes: "looks good") { status reviewNotes } }`,
    reject: `mutation ($id: ID!) { rejectVersion(id: $id, notes: "crashes on start") { status reviewNotes } }`,
    publish: `mutation ($id: ID!) { publishVersion(id: $id) { status publishedAt } }`,
  };
  const RULES = {
    submit: { from: ['draft', 'rejected'], to: 'REVIEW', by: 'owner' },
    approve: { from: ['review'], to: 'APPROVED', by: 'staff' },
    reject: { from: ['review'], to: 'REJECTED', by: 'staff' },
    publish: { from: ['approved'], to: 'PUBLISHED', by: 'owner' },
  } as const;

  let actors: Record<'owner' | 'reviewer' | 'admin' | 'stranger', string>;
  let fixture: Awaited<ReturnType<typeof ownerWithApp>>;
  let nextCode = 1;
  beforeAll(async () => {
    fixture = await ownerWithApp();
    // A published app, so strangers can see its published versions (and only those).
    await server.db.query(`UPDATE apps SET status = 'published' WHERE id = $1`, [fixture.app.id]);
    actors = {
      owner: fixture.owner.token,
      reviewer: (await signUpWithRole(server, 'reviewer')).token,
      admin: (await signUpWithRole(server, 'admin')).token,
      stranger: (await signUp(server)).token,
    };
  });

  const cases = (Object.keys(MUTATIONS) as (keyof typeof MUTATIONS)[]).flatMap((action) =>
    STATUSES.flatMap((status) => (['owner', 'reviewer', 'admin', 'stranger'] as const).map((actor) => ({ action, status, actor }))),
  );

  it.each(cases)('$action by $actor from $status', async ({ action, status, actor }) => {
    const version = await createVersion(server, fixture.owner.token, versionInput(fixture.app, fixture.key, nextCode++));
    await server.db.query(`UPDATE app_versions SET status = $2 WHERE id = $1`, [version.id, status]);
    const result = await server.graphql(MUTATIONS[action], { id: version.id }, actors[actor]);
    const rule = RULES[action];
    const allowedActor = rule.by === 'owner' ? actor === 'owner' : actor === 'reviewer' || actor === 'admin';

    // Only staff ever approve or reject: everyone else is FORBIDDEN before the version is looked up.
    if (actor === 'stranger' && status !== 'published' && rule.by === 'owner') {
      expect(errorOf(result).code).toBe('NOT_FOUND');
    } else if (!allowedActor) {
      expect(errorOf(result).code).toBe('FORBIDDEN');
    } else if (!(rule.from as readonly string[]).includes(status)) {
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
      expect(errorOf(result).message).toContain(status.toUpperCase());
    } else {
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data)[0]).toMatchObject({ status: rule.to });
    }
    const [{ status: stored }] = await server.db.query(`SELECT status FROM app_versions WHERE id = $1`, [version.id]);
    expect(stored).toBe(result.errors ? status : rule.to.toLowerCase());
  });

  it('rejecting needs notes; the owner can resubmit a rejected version', async () => {
    const { owner, key, app } = await ownerWithApp();
    const reviewer = await signUpWithRole(server, 'reviewer');
    const version = await createVersion(server, owner.token, versionInput(app, key, 1));
    await server.graphql(MUTATIONS.submit, { id: version.id }, owner.token);
    const noNotes = await server.graphql(`mutation ($id: ID!) { rejectVersion(id: $id, notes: "  ") { status } }`, { id: version.id }, reviewer.token);
    expect(errorOf(noNotes)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'notes' });
    const rejected = await server.graphql(MUTATIONS.reject, { id: version.id }, reviewer.token);
    expect(rejected.data.rejectVersion).toEqual({ status: 'REJECTED', reviewNotes: 'crashes on start' });
    expect((await server.graphql(MUTATIONS.submit, { id: version.id }, owner.token)).data.submitVersionForReview.status).toBe('REVIEW');
  });

  it('the first publish sets publishedAt and makes the draft app PUBLISHED; latestVersion is the highest published code', async () => {
    const { owner, key, app } = await ownerWithApp();
    const reviewer = await signUpWithRole(server, 'reviewer');
    const v1 = await createVersion(server, owner.token, versionInput(app, key, 1));
    const v2 = await createVersion(server, owner.token, versionInput(app, key, 2));
    expect((await server.graphql(`{ app(id: "${app.id}") { status latestVersion { id } } }`, {}, owner.token)).data.app)
      .toEqual({ status: 'DRAFT', latestVersion: null });
    await publish(server, owner.token, reviewer.token, v2.id);
    await publish(server, owner.token, reviewer.token, v1.id);
    const result = await server.graphql(`{ app(id: "${app.id}") { status latestVersion { id versionCode publishedAt } } }`);
    expect(result.data.app.status).toBe('PUBLISHED');
    expect(result.data.app.latestVersion).toMatchObject({ id: v2.id, versionCode: 2 });
    expect(Date.parse(result.data.app.latestVersion.publishedAt)).toBeGreaterThan(Date.now() - 60_000);
    const audit = await server.db.query(`SELECT action FROM audit_logs WHERE target_id = $1 ORDER BY id`, [v2.id]);
    expect(audit.map((r: any) => r.action)).toEqual(['version.create', 'version.submit', 'version.approve', 'version.publish']);
  });

  it('shows unpublished versions only to the owner and staff', async () => {
    const { owner, key, app, reviewer } = await publishedApp(server);
    await createVersion(server, owner.token, versionInput(app, key, 2));
    const query = `{ app(id: "${app.id}") { versions { totalCount edges { node { versionCode status } } } } }`;
    expect((await server.graphql(query, {}, owner.token)).data.app.versions.totalCount).toBe(2);
    expect((await server.graphql(query, {}, reviewer.token)).data.app.versions.totalCount).toBe(2);
    const publicView = (await server.graphql(query)).data.app.versions;
    expect(publicView).toEqual({ totalCount: 1, edges: [{ node: { versionCode: 1, status: 'PUBLISHED' } }] });
  });
});

describe('concurrency', () => {
  it('parallel creates of one versionCode: exactly one wins, the rest get CONFLICT', async () => {
    const { owner, key, app } = await ownerWithApp();
    const input = versionInput(app, key, 10);
    const results = await Promise.all(Array.from({ length: 6 }, () => server.graphql(CREATE_VERSION, { input }, owner.token)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map((r) => errorOf(r).code)).toEqual(Array(5).fill('CONFLICT'));
  });

  it('parallel creates of increasing codes all succeed or conflict cleanly, never leaving a lower code after a higher one', async () => {
    const { owner, key, app } = await ownerWithApp();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((code) =>
      server.graphql(CREATE_VERSION, { input: versionInput(app, key, code) }, owner.token)));
    for (const r of results) if (r.errors) expect(errorOf(r).code).toBe('CONFLICT');
    // Audit rows are written while the app row is locked, so their ids follow the commit order.
    const rows = await server.db.query(
      `SELECT (metadata->>'versionCode')::int AS code FROM audit_logs
        WHERE action = 'version.create' AND metadata->>'appId' = $1 ORDER BY id`, [app.id]);
    const codes = rows.map((r: any) => r.code);
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    expect(codes).toContain(6);
  });

  it('parallel publishes of two approved versions leave a consistent app', async () => {
    const { owner, key, app } = await ownerWithApp();
    const reviewer = await signUpWithRole(server, 'reviewer');
    const versions = [];
    for (const code of [1, 2]) {
      const v = await createVersion(server, owner.token, versionInput(app, key, code));
      await server.graphql(`mutation ($id: ID!) { submitVersionForReview(id: $id) { status } }`, { id: v.id }, owner.token);
      await server.graphql(`mutation ($id: ID!) { approveVersion(id: $id) { status } }`, { id: v.id }, reviewer.token);
      versions.push(v);
    }
    const publishTwice = versions.flatMap((v) => [v, v]).map((v) =>
      server.graphql(`mutation ($id: ID!) { publishVersion(id: $id) { status } }`, { id: v.id }, owner.token));
    const results = await Promise.all(publishTwice);
    expect(results.filter((r) => !r.errors)).toHaveLength(2);
    for (const r of results.filter((x) => x.errors)) expect(errorOf(r)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
    const result = await server.graphql(`{ app(id: "${app.id}") { status latestVersion { versionCode } } }`);
    expect(result.data.app).toEqual({ status: 'PUBLISHED', latestVersion: { versionCode: 2 } });
  });
});
