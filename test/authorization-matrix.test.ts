import { randomBytes } from 'node:crypto';
import { type GraphQLObjectType, isObjectType } from 'graphql';
import { SCOPES, type Scope } from '../src/auth/scopes';
import { buildApiSchema } from '../src/graphql/schema';
import {
  createApiKey, createApp, createVersion, generateSigningKey, publishedApp, registerSigningKey, signUp, signUpWithRole,
  type SignedUpDeveloper, type SigningKeyPair, versionInput,
} from './helpers/factories';
import { crashReport, post, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * Every query, mutation and owned field, asked by every kind of caller, against what each must get.
 * A new operation or owned field fails the first test until it has a line in MATRIX.
 *
 * Outcomes: OK (answered, and the data `found` picks out is there), HIDDEN (answered without it:
 * null or an empty list, as for data the caller may not see), or the error code expected.
 */
type Outcome = 'OK' | 'HIDDEN' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND';
type Actor = 'anonymous' | 'other' | 'keyWithoutScope' | 'expiredKey' | 'revokedKey' | 'reviewer' | 'admin' | 'owner' | 'keyWithScope';
type Expected = Record<'anonymous' | 'other' | 'reviewer' | 'admin' | 'owner', Outcome> & Partial<Record<Actor, Outcome>>;

interface Entry {
  /** The scope an API key needs; a key with every other scope must get FORBIDDEN (unless `expect` says otherwise). */
  scope?: Scope;
  query: string;
  /** Variables naming a fresh target for each call (mutations change what they touch). */
  vars?: (world: World) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** What must be in `data` for OK; by default the operation's own result, non-null and non-empty. */
  found?: (data: any) => unknown;
  expect: Expected;
}

const OK = 'OK', HIDDEN = 'HIDDEN', UNAUTH = 'UNAUTHENTICATED', FORBIDDEN = 'FORBIDDEN', NOT_FOUND = 'NOT_FOUND';
/** Common shapes of `expect`. */
const ANYONE: Expected = { anonymous: OK, other: OK, reviewer: OK, admin: OK, owner: OK };
const SIGNED_IN: Expected = { anonymous: UNAUTH, other: OK, reviewer: OK, admin: OK, owner: OK };
const OWNER_OR_ADMIN: Expected = { anonymous: UNAUTH, other: FORBIDDEN, reviewer: FORBIDDEN, admin: OK, owner: OK };
const VISIBLE_TO_OWNER_AND_STAFF: Expected = { anonymous: HIDDEN, other: HIDDEN, reviewer: OK, admin: OK, owner: OK, keyWithoutScope: HIDDEN };
/** A published version is visible to everyone, so anyone but its owner is refused rather than told it does not exist. */
const OWNER_ONLY_ON_PUBLISHED: Expected = { anonymous: UNAUTH, other: FORBIDDEN, reviewer: FORBIDDEN, admin: FORBIDDEN, owner: OK };

const DATES = () => {
  const day = 86_400_000;
  return { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + day).toISOString() };
};
const DAYS = () => ({ from: DATES().from.slice(0, 10), to: DATES().to.slice(0, 10) });

const MATRIX: Record<string, Entry> = {
  // Queries
  'Query.me': { query: `{ me { id name role } }`, expect: SIGNED_IN },
  'Query.developerByEmail': { scope: 'account:read', query: `query ($email: String!) { developerByEmail(email: $email) { id } }`, vars: (w) => ({ email: w.owner.email }), expect: OWNER_OR_ADMIN },
  'Query.app': { scope: 'apps:read', query: `query ($id: ID) { app(id: $id) { id } }`, vars: (w) => ({ id: w.draftAppId }), expect: VISIBLE_TO_OWNER_AND_STAFF },
  'Query.node': { scope: 'apps:read', query: `query ($id: ID!) { node(id: $id) { id } }`, vars: (w) => ({ id: w.draftAppId }), expect: VISIBLE_TO_OWNER_AND_STAFF },
  'Query.apps': { scope: 'apps:read', query: `query ($d: ID) { apps(developerId: $d, status: DRAFT) { edges { node { id } } } }`, vars: (w) => ({ d: w.owner.id }), expect: VISIBLE_TO_OWNER_AND_STAFF },
  'Query.searchApps': { query: `query ($q: String) { searchApps(query: $q) { edges { node { id } } } }`, vars: (w) => ({ q: w.publishedName }), expect: ANYONE },
  'Query.telemetryDaily': { scope: 'telemetry:read', query: `query ($a: ID!, $from: Date!, $to: Date!) { telemetryDaily(appId: $a, from: $from, to: $to) { count } }`, vars: (w) => ({ a: w.publishedAppId, ...DAYS() }), expect: OWNER_OR_ADMIN },
  'Query.telemetryEvents': { scope: 'telemetry:read', query: `query ($a: ID!, $from: DateTime!, $to: DateTime!) { telemetryEvents(appId: $a, from: $from, to: $to) { edges { node { id } } } }`, vars: (w) => ({ a: w.publishedAppId, ...DATES() }), expect: OWNER_OR_ADMIN },
  'Query.crashGroups': { scope: 'telemetry:read', query: `query ($a: ID!) { crashGroups(appId: $a) { edges { node { fingerprint } } } }`, vars: (w) => ({ a: w.publishedAppId }), expect: OWNER_OR_ADMIN },
  'Query.versionsAwaitingReview': { scope: 'apps:read', query: `{ versionsAwaitingReview(first: 100) { edges { node { id } } } }`, vars: async (w) => { await w.version('review'); return {}; }, found: (d) => d.versionsAwaitingReview.edges.length, expect: { anonymous: UNAUTH, other: FORBIDDEN, reviewer: OK, admin: OK, owner: FORBIDDEN } },
  'Query.appUpdate': { query: `query ($p: String!) { appUpdate(packageId: $p, deviceId: "matrix-device", currentVersionCode: 0) { id } }`, vars: (w) => ({ p: w.publishedPackageId }), expect: ANYONE },
  'Query.versionHealth': { scope: 'telemetry:read', query: `query ($a: ID!, $from: Date!, $to: Date!) { versionHealth(appId: $a, from: $from, to: $to) { activeDevices } }`, vars: (w) => ({ a: w.publishedAppId, ...DAYS() }), expect: OWNER_OR_ADMIN },
  'Query.auditLogs': { scope: 'account:read', query: `{ auditLogs { edges { node { id } } } }`, expect: SIGNED_IN },

  // Mutations
  'Mutation.signUp': { query: `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, vars: () => ({ input: { email: `m-${randomBytes(6).toString('hex')}@example.com`, name: 'M', password: 'long enough password' } }), expect: ANYONE },
  'Mutation.signIn': { query: `mutation ($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }`, vars: (w) => ({ e: w.owner.email, p: w.owner.password }), expect: ANYONE },
  'Mutation.signOut': { query: `mutation { signOut }`, found: (d) => d.signOut !== null, expect: SIGNED_IN },
  'Mutation.createApiKey': { scope: 'account:write', query: `mutation { createApiKey(input: {name: "m", permissions: []}) { secret } }`, expect: SIGNED_IN },
  'Mutation.revokeApiKey': { scope: 'account:write', query: `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, vars: async (w) => ({ id: (await createApiKey(w.server, w.owner.token, [])).id }), expect: { ...OWNER_OR_ADMIN, other: NOT_FOUND, reviewer: NOT_FOUND } },
  'Mutation.registerSigningKey': { scope: 'apps:write', query: `mutation ($input: RegisterSigningKeyInput!) { registerSigningKey(input: $input) { id } }`, vars: () => ({ input: { name: 'm', publicKey: generateSigningKey().publicKeyPem } }), expect: SIGNED_IN },
  'Mutation.deactivateSigningKey': { scope: 'apps:write', query: `mutation ($id: ID!) { deactivateSigningKey(id: $id) { id } }`, vars: async (w) => ({ id: (await registerSigningKey(w.server, w.owner.token)).id }), expect: { ...OWNER_OR_ADMIN, other: NOT_FOUND, reviewer: NOT_FOUND } },
  'Mutation.createApp': { scope: 'apps:write', query: `mutation ($input: CreateAppInput!) { createApp(input: $input) { id } }`, vars: () => ({ input: { packageId: `com.matrix.a${randomBytes(5).toString('hex')}`, name: 'M' } }), expect: SIGNED_IN },
  'Mutation.updateApp': { scope: 'apps:write', query: `mutation ($id: ID!) { updateApp(id: $id, input: {name: "Renamed"}) { id } }`, vars: (w) => ({ id: w.publishedAppId }), expect: { ...OWNER_OR_ADMIN, admin: FORBIDDEN } },
  'Mutation.suspendApp': { scope: 'apps:write', query: `mutation ($id: ID!) { suspendApp(id: $id, reason: "matrix") { id } }`, vars: async (w) => ({ id: (await createApp(w.server, w.owner.token)).id }), expect: { ...OWNER_OR_ADMIN, owner: FORBIDDEN } },
  'Mutation.createVersion': { scope: 'apps:write', query: `mutation ($input: CreateVersionInput!) { createVersion(input: $input) { id } }`, vars: (w) => ({ input: versionInput(w.workflowApp, w.signingKey, w.nextVersionCode()) }), expect: { ...OWNER_OR_ADMIN, other: NOT_FOUND, admin: FORBIDDEN } },
  'Mutation.submitVersionForReview': { scope: 'apps:write', query: `mutation ($id: ID!) { submitVersionForReview(id: $id) { id } }`, vars: async (w) => ({ id: await w.version('draft') }), expect: { ...OWNER_OR_ADMIN, other: NOT_FOUND, admin: FORBIDDEN } },
  'Mutation.approveVersion': { scope: 'apps:write', query: `mutation ($id: ID!) { approveVersion(id: $id) { id } }`, vars: async (w) => ({ id: await w.version('review') }), expect: { anonymous: UNAUTH, other: FORBIDDEN, reviewer: OK, admin: OK, owner: FORBIDDEN } },
  'Mutation.rejectVersion': { scope: 'apps:write', query: `mutation ($id: ID!) { rejectVersion(id: $id, notes: "no") { id } }`, vars: async (w) => ({ id: await w.version('review') }), expect: { anonymous: UNAUTH, other: FORBIDDEN, reviewer: OK, admin: OK, owner: FORBIDDEN } },
  'Mutation.publishVersion': { scope: 'apps:write', query: `mutation ($id: ID!) { publishVersion(id: $id) { id } }`, vars: async (w) => ({ id: await w.version('approved') }), expect: { ...OWNER_OR_ADMIN, other: NOT_FOUND, admin: FORBIDDEN } },
  'Mutation.updateRollout': { scope: 'apps:write', query: `mutation ($id: ID!) { updateRollout(versionId: $id, percentage: 50) { id } }`, vars: async (w) => ({ id: await w.stagedVersion() }), expect: OWNER_ONLY_ON_PUBLISHED },
  'Mutation.pauseRollout': { scope: 'apps:write', query: `mutation ($id: ID!) { pauseRollout(versionId: $id) { id } }`, vars: async (w) => ({ id: await w.stagedVersion() }), expect: OWNER_ONLY_ON_PUBLISHED },
  'Mutation.resumeRollout': { scope: 'apps:write', query: `mutation ($id: ID!) { resumeRollout(versionId: $id) { id } }`, vars: async (w) => ({ id: await w.stagedVersion({ paused: true }) }), expect: OWNER_ONLY_ON_PUBLISHED },
  'Mutation.haltRollout': { scope: 'apps:write', query: `mutation ($id: ID!) { haltRollout(versionId: $id, reason: "matrix") { id } }`, vars: async (w) => ({ id: await w.stagedVersion() }), expect: OWNER_ONLY_ON_PUBLISHED },
  'Mutation.completeRollout': { scope: 'apps:write', query: `mutation ($id: ID!) { completeRollout(versionId: $id) { id } }`, vars: async (w) => ({ id: await w.stagedVersion() }), expect: OWNER_ONLY_ON_PUBLISHED },
  'Mutation.createWebhook': { scope: 'account:write', query: `mutation { createWebhook(input: {url: "https://93.184.215.14/matrix", events: ["version.published"]}) { secret } }`, expect: SIGNED_IN },
  'Mutation.deleteWebhook': { scope: 'account:write', query: `mutation ($id: ID!) { deleteWebhook(id: $id) { id } }`, vars: async (w) => ({ id: await w.webhook() }), expect: { ...OWNER_OR_ADMIN, other: NOT_FOUND, reviewer: NOT_FOUND, admin: NOT_FOUND } },
  'Mutation.redeliverWebhookDelivery': { scope: 'account:write', query: `mutation ($id: ID!) { redeliverWebhookDelivery(id: $id) { id } }`, vars: async (w) => ({ id: await w.webhookDelivery() }), expect: { ...OWNER_OR_ADMIN, other: NOT_FOUND, reviewer: NOT_FOUND, admin: NOT_FOUND } },

  // Fields exposing owned data, reached through the owner's published app (which anyone may read)
  'Developer.email': { scope: 'account:read', query: `query ($id: ID) { app(id: $id) { developer { email } } }`, vars: (w) => ({ id: w.publishedAppId }), found: (d) => d.app.developer.email, expect: { ...OWNER_OR_ADMIN, anonymous: FORBIDDEN, reviewer: OK } },
  'Developer.apiKeys': { scope: 'account:read', query: `query ($id: ID) { app(id: $id) { developer { apiKeys { id } } } }`, vars: (w) => ({ id: w.publishedAppId }), found: (d) => d.app.developer.apiKeys.length, expect: { ...OWNER_OR_ADMIN, anonymous: FORBIDDEN } },
  'Developer.signingKeys': { query: `query ($id: ID) { app(id: $id) { developer { signingKeys { id } } } }`, vars: (w) => ({ id: w.publishedAppId }), found: (d) => d.app.developer.signingKeys.length, expect: { ...OWNER_OR_ADMIN, anonymous: FORBIDDEN } },
  'Developer.apps': { scope: 'apps:read', query: `query ($id: ID) { app(id: $id) { developer { apps(first: 100) { edges { node { status } } } } } }`, vars: (w) => ({ id: w.publishedAppId }), found: (d) => d.app.developer.apps.edges.some((e: any) => e.node.status === 'DRAFT'), expect: VISIBLE_TO_OWNER_AND_STAFF },
  'Developer.webhooks': { scope: 'account:read', query: `query ($id: ID) { app(id: $id) { developer { webhooks { id } } } }`, vars: async (w) => { await w.someWebhook(); return { id: w.publishedAppId }; }, found: (d) => d.app.developer.webhooks.length, expect: { ...OWNER_OR_ADMIN, anonymous: UNAUTH } },
  'App.versions': { scope: 'apps:read', query: `query ($id: ID) { app(id: $id) { versions { edges { node { status } } } } }`, vars: (w) => ({ id: w.publishedAppId }), found: (d) => d.app.versions.edges.some((e: any) => e.node.status === 'DRAFT'), expect: VISIBLE_TO_OWNER_AND_STAFF },
  'App.telemetryDaily': { scope: 'telemetry:read', query: `query ($id: ID, $from: Date!, $to: Date!) { app(id: $id) { telemetryDaily(from: $from, to: $to) { count } } }`, vars: (w) => ({ id: w.publishedAppId, ...DAYS() }), found: (d) => d.app.telemetryDaily.length, expect: { ...OWNER_OR_ADMIN, anonymous: UNAUTH } },
};

/** Fields of the owned types that anyone who can see the object may read; every other field needs a MATRIX line. */
const PUBLIC_FIELDS: Record<string, string[]> = {
  Developer: ['id', 'name', 'role', 'verified', 'createdAt', 'updatedAt'],
  App: ['id', 'packageId', 'name', 'description', 'category', 'tags', 'status', 'developer', 'latestVersion', 'createdAt', 'updatedAt'],
  // A version is visible or not as a whole (App.versions, the workflow mutations); its columns follow.
  AppVersion: [
    'id', 'app', 'versionCode', 'versionName', 'packageUrl', 'packageSize', 'packageSha256', 'signature', 'permissions',
    'minMosisVersion', 'releaseNotes', 'status', 'reviewNotes', 'publishedAt', 'createdAt', 'rollout',
  ],
};

interface World {
  server: TestServer;
  owner: SignedUpDeveloper;
  signingKey: SigningKeyPair;
  publishedAppId: string;
  publishedPackageId: string;
  publishedName: string;
  draftAppId: string;
  workflowApp: { id: string; packageId: string };
  nextVersionCode(): number;
  version(state: 'draft' | 'review' | 'approved'): Promise<string>;
  /** A version of the workflow app published to 10% (then paused if asked). */
  stagedVersion(options?: { paused?: boolean }): Promise<string>;
  /** A new webhook of the owner's. */
  webhook(): Promise<string>;
  /** One webhook of the owner's, made on first use. */
  someWebhook(): Promise<string>;
  /** A delivery of one of the owner's webhooks. */
  webhookDelivery(): Promise<string>;
}

let server: TestServer;
let world: World;
let people: Record<'other' | 'reviewer' | 'admin', SignedUpDeveloper>;
let deadKeys: { expiredKey: string; revokedKey: string };

beforeAll(async () => {
  server = await startTestServer();
  const reviewer = await signUpWithRole(server, 'reviewer');
  const publishedName = `Matrix${randomBytes(4).toString('hex')}`;
  const { owner, app } = await publishedApp(server, { name: publishedName }, reviewer);
  const signingKey = generateSigningKey();
  await registerSigningKey(server, owner.token, signingKey);
  // A draft version beside the published one, a draft app, telemetry and a crash: owned data to hide.
  await createVersion(server, owner.token, versionInput(app, signingKey, 2));
  const draftAppId = (await createApp(server, owner.token)).id;
  const workflowApp = await createApp(server, owner.token);
  const device = await createApiKey(server, owner.token, ['telemetry:write']);
  expect((await post(server, '/v1/telemetry', device.secret, [telemetryEvent(app.id)])).status).toBe(202);
  expect((await post(server, '/v1/crashes', device.secret, [crashReport(app.id)])).status).toBe(202);

  let versionCode = 0;
  let someWebhookId: string | undefined;
  const step = (mutation: string, id: string, token: string) =>
    server.graphql(`mutation ($id: ID!) { ${mutation}(id: $id) { id } }`, { id }, token);
  world = {
    server, owner, signingKey, publishedAppId: app.id, publishedPackageId: app.packageId, publishedName, draftAppId, workflowApp,
    nextVersionCode: () => ++versionCode,
    async version(state) {
      const { id } = await createVersion(server, owner.token, versionInput(workflowApp, signingKey, ++versionCode));
      if (state !== 'draft') await step('submitVersionForReview', id, owner.token);
      if (state === 'approved') await step('approveVersion', id, reviewer.token);
      return id;
    },
    async stagedVersion({ paused = false } = {}) {
      const id = await world.version('approved');
      await server.graphql(`mutation ($id: ID!) { publishVersion(id: $id, rolloutPercentage: 10) { id } }`, { id }, owner.token);
      if (paused) await server.graphql(`mutation ($id: ID!) { pauseRollout(versionId: $id) { id } }`, { id }, owner.token);
      return id;
    },
    async webhook() {
      const result = await server.graphql(
        `mutation { createWebhook(input: {url: "https://93.184.215.14/matrix", events: ["version.submitted"]}) { webhook { id } } }`, {}, owner.token);
      return result.data.createWebhook.webhook.id;
    },
    async someWebhook() {
      someWebhookId ??= await world.webhook();
      return someWebhookId;
    },
    async webhookDelivery() {
      await world.someWebhook();
      await world.version('review');
      const [{ id }] = await server.db.query(
        `SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.developer_id = $1 ORDER BY d.created_at DESC LIMIT 1`,
        [owner.id]);
      return id;
    },
  };
  people = { other: await signUp(server), reviewer, admin: await signUpWithRole(server, 'admin') };

  const expired = await createApiKey(server, owner.token, [...SCOPES]);
  await server.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.id]);
  const revoked = await createApiKey(server, owner.token, [...SCOPES]);
  await server.graphql(`mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: revoked.id }, owner.token);
  deadKeys = { expiredKey: expired.secret, revokedKey: revoked.secret };
}, 60_000);
afterAll(() => server.close());

it('has a line for every query, mutation and owned field of the schema, and none for anything gone', async () => {
  const schema = await buildApiSchema();
  const fieldsOf = (type: GraphQLObjectType | null | undefined) => Object.keys(type?.getFields() ?? {}).map((f) => `${type!.name}.${f}`);
  const owned = Object.keys(PUBLIC_FIELDS).flatMap((name) => {
    const type = schema.getType(name);
    if (!isObjectType(type)) throw new Error(`${name} is not an object type any more`);
    return fieldsOf(type).filter((field) => !PUBLIC_FIELDS[name].includes(field.split('.')[1]));
  });
  const covered = [...fieldsOf(schema.getQueryType()), ...fieldsOf(schema.getMutationType()), ...owned];
  expect(covered.filter((name) => !(name in MATRIX))).toEqual([]);
  expect(Object.keys(MATRIX).filter((name) => !covered.includes(name))).toEqual([]);
});

describe.each(Object.entries(MATRIX))('%s', (_name, entry) => {
  const cases: [Actor, Outcome][] = [
    ...(['anonymous', 'other', 'reviewer', 'admin', 'owner'] as const).map((actor): [Actor, Outcome] => [actor, entry.expect[actor]]),
    ['keyWithoutScope', entry.expect.keyWithoutScope ?? (entry.scope ? FORBIDDEN : entry.expect.owner)],
    ['keyWithScope', entry.expect.keyWithScope ?? entry.expect.owner],
    ['expiredKey', UNAUTH],
    ['revokedKey', UNAUTH],
  ];

  it.each(cases)('%s → %s', async (actor, outcome) => {
    const token = await tokenOf(actor, entry.scope);
    const result = await server.graphql(entry.query, entry.vars ? await entry.vars(world) : {}, token);
    if (outcome === OK || outcome === HIDDEN) {
      expect(result.errors).toBeUndefined();
      const present = entry.found ? !!entry.found(result.data) : isPresent(Object.values(result.data ?? {})[0]);
      expect(present ? OK : HIDDEN).toBe(outcome);
    } else {
      expect(result.errors?.map((e) => e.extensions.code)).toContain(outcome);
    }
  });
});

/** A fresh session (signOut ends one) or key per case, so no case depends on another. */
async function tokenOf(actor: Actor, scope: Scope | undefined): Promise<string | undefined> {
  switch (actor) {
    case 'anonymous':
      return undefined;
    case 'expiredKey':
    case 'revokedKey':
      return deadKeys[actor];
    // Every other scope; for an operation that needs none, a key with no scope at all.
    case 'keyWithoutScope':
      return (await createApiKey(server, world.owner.token, scope ? SCOPES.filter((s) => s !== scope) : [])).secret;
    // Exactly the scope; for an operation that needs none, a key with all of them.
    case 'keyWithScope':
      return (await createApiKey(server, world.owner.token, scope ? [scope] : [...SCOPES])).secret;
    case 'owner':
      return freshSession(world.owner);
    default:
      return freshSession(people[actor]);
  }
}

async function freshSession(developer: SignedUpDeveloper): Promise<string> {
  const result = await server.graphql(
    `mutation ($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }`,
    { e: developer.email, p: developer.password },
  );
  return result.data.signIn.token;
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  const edges = (value as { edges?: unknown[] }).edges;
  return edges ? edges.length > 0 : true;
}
