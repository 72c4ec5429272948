import {
  ApproveVersionDocument, AppDocument, AppsDocument, AuditLogsDocument, CrashGroupsDocument, CreateApiKeyDocument,
  CreateAppDocument, CreateVersionDocument, createMosisClient, DeactivateSigningKeyDocument, DeveloperByEmailDocument,
  MeDocument, MosisGraphQLError, MosisHttpError, MosisIngestError, PublishVersionDocument, RegisterSigningKeyDocument,
  RejectVersionDocument, RevokeApiKeyDocument, SearchAppsDocument, SignInDocument, SignOutDocument, SignUpDocument,
  SubmitVersionForReviewDocument, SuspendAppDocument, TelemetryDailyDocument, TelemetryEventsDocument, UpdateAppDocument,
  UpdateRolloutDocument, PauseRolloutDocument, ResumeRolloutDocument, HaltRolloutDocument, CompleteRolloutDocument,
  AppUpdateDocument, VersionHealthDocument, CreateWebhookDocument, DeleteWebhookDocument, RedeliverWebhookDeliveryDocument,
  WebhooksDocument, VersionsAwaitingReviewDocument, type MosisClient,
} from '../sdk';
import persistedOperations from '../sdk/generated/persisted-operations.json';
import { generateSigningKey, signUp as signUpDeveloper, signUpWithRole, versionInput, type SignedUpDeveloper } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * The SDK against a live server: every generated operation at least once, so a schema change that
 * breaks the SDK's documents or types fails here (and `npm run typecheck` checks the types).
 */
let server: TestServer;
/** What the clients sent, in order (for the APQ assertions), and every operation run (for coverage). */
const sent: { operationName: string; query?: string; extensions?: unknown }[] = [];
const exercised = new Set<string>();

const recordingFetch: typeof fetch = async (input, init) => {
  const body = JSON.parse(String(init?.body));
  if (String(input).endsWith('/graphql')) {
    sent.push(body);
    exercised.add(body.operationName);
  }
  return fetch(input, init);
};

function client(token?: string, options: { persisted?: boolean } = {}): MosisClient {
  return createMosisClient({ url: server.url, token, fetch: recordingFetch, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<MosisGraphQLError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MosisGraphQLError);
  return error as MosisGraphQLError;
}

const password = 'a long enough password';
let reviewer: SignedUpDeveloper;
let admin: SignedUpDeveloper;

beforeAll(async () => {
  server = await startTestServer();
  reviewer = await signUpWithRole(server, 'reviewer');
  admin = await signUpWithRole(server, 'admin');
});
afterAll(() => server.close());

describe('accounts and API keys', () => {
  it('signs up, reads itself, signs out and in again', async () => {
    const anonymous = client();
    const email = `sdk-${Date.now()}@example.com`;
    const { signUp } = await anonymous.request(SignUpDocument, { input: { email, name: 'SDK Dev', password } });
    expect(signUp.developer).toMatchObject({ email, role: 'DEVELOPER', verified: false });

    const dev = client(signUp.token);
    const { me } = await dev.request(MeDocument);
    expect(me).toMatchObject({ id: signUp.developer.id, apiKeys: [], signingKeys: [] });
    const { developerByEmail } = await dev.request(DeveloperByEmailDocument, { email, appsFirst: 5 });
    expect(developerByEmail).toMatchObject({ id: signUp.developer.id, apps: { totalCount: 0, edges: [] } });

    expect(await dev.request(SignOutDocument)).toEqual({ signOut: true });
    expect(await rejection(dev.request(MeDocument))).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });

    const { signIn } = await anonymous.request(SignInDocument, { email, password });
    dev.setToken(signIn.token);
    expect((await dev.request(MeDocument)).me?.email).toBe(email);
    dev.setToken(undefined);
    expect((await rejection(dev.request(MeDocument))).code).toBe('UNAUTHENTICATED');
  });

  it('creates an API key, acts with it, and revokes it', async () => {
    const { signUp } = await client().request(SignUpDocument, {
      input: { email: `sdk-key-${Date.now()}@example.com`, name: 'Key Owner', password },
    });
    const owner = client(signUp.token);
    const permissions = ['apps:read', 'account:read', 'account:write'];
    const { createApiKey } = await owner.request(CreateApiKeyDocument, { input: { name: 'ci', permissions } });
    expect(createApiKey.secret).toMatch(/^mk_/);
    expect(createApiKey.apiKey).toMatchObject({ name: 'ci', permissions, revokedAt: null });

    const withKey = client(createApiKey.secret);
    expect((await withKey.request(MeDocument)).me?.id).toBe(signUp.developer.id);
    const escalation = await rejection(
      withKey.request(CreateApiKeyDocument, { input: { name: 'wider', permissions: ['apps:write'] } }),
    );
    expect(escalation).toMatchObject({ code: 'FORBIDDEN', path: ['createApiKey'] });

    const { revokeApiKey } = await owner.request(RevokeApiKeyDocument, { id: createApiKey.apiKey.id });
    expect(revokeApiKey.revokedAt).not.toBeNull();
    expect((await rejection(withKey.request(MeDocument))).code).toBe('UNAUTHENTICATED');
  });
});

describe('apps and versions', () => {
  it('takes an app from creation through review to published, and suspends it', async () => {
    const { signUp } = await client().request(SignUpDocument, {
      input: { email: `sdk-app-${Date.now()}@example.com`, name: 'App Maker', password },
    });
    const owner = client(signUp.token);
    const key = generateSigningKey();
    const { registerSigningKey } = await owner.request(RegisterSigningKeyDocument, {
      input: { name: 'release', publicKey: key.publicKeyPem },
    });
    expect(registerSigningKey).toMatchObject({ isActive: true, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const packageId = `com.sdk.app${Date.now()}`;
    const { createApp } = await owner.request(CreateAppDocument, {
      input: { packageId, name: 'SDK App', description: 'Made by the SDK', category: 'tools', tags: ['sdk'] },
    });
    expect(createApp).toMatchObject({ packageId, status: 'DRAFT', latestVersion: null, developer: { id: signUp.developer.id } });
    const { updateApp } = await owner.request(UpdateAppDocument, { id: createApp.id, input: { tags: ['sdk', 'typed'] } });
    expect(updateApp.tags).toEqual(['sdk', 'typed']);

    const { createVersion } = await owner.request(CreateVersionDocument, { input: versionInput(createApp, key, 1) });
    expect(createVersion).toMatchObject({ status: 'DRAFT', versionCode: 1, packageSize: 1048576, app: { id: createApp.id } });
    await owner.request(SubmitVersionForReviewDocument, { id: createVersion.id });
    const { versionsAwaitingReview } = await client(reviewer.token).request(VersionsAwaitingReviewDocument, { first: 100 });
    expect(versionsAwaitingReview.edges.map(({ node }) => node.id)).toContain(createVersion.id);
    const { approveVersion } = await client(reviewer.token).request(ApproveVersionDocument, { id: createVersion.id, notes: 'fine' });
    expect(approveVersion).toMatchObject({ status: 'APPROVED', reviewNotes: 'fine' });
    const { publishVersion } = await owner.request(PublishVersionDocument, { id: createVersion.id });
    expect(publishVersion).toMatchObject({ status: 'PUBLISHED', app: { status: 'PUBLISHED' } });

    // The second version is rejected; the published one stays the latest.
    const second = await owner.request(CreateVersionDocument, { input: versionInput(createApp, key, 2) });
    await owner.request(SubmitVersionForReviewDocument, { id: second.createVersion.id });
    const { rejectVersion } = await client(reviewer.token).request(RejectVersionDocument, {
      id: second.createVersion.id,
      notes: 'crashes on start',
    });
    expect(rejectVersion).toMatchObject({ status: 'REJECTED', reviewNotes: 'crashes on start' });

    const { app } = await client().request(AppDocument, { packageId });
    expect(app).toMatchObject({ status: 'PUBLISHED', latestVersion: { versionCode: 1 } });
    expect(app?.versions.edges.map((edge) => edge.node.versionCode)).toEqual([1]);
    const { apps } = await owner.request(AppsDocument, { developerId: signUp.developer.id, first: 10 });
    expect(apps.edges.map((edge) => edge.node.id)).toEqual([createApp.id]);
    const { searchApps } = await client().request(SearchAppsDocument, { query: 'SDK App', tags: ['typed'] });
    expect(searchApps.edges.map((edge) => edge.node.packageId)).toContain(packageId);

    const { deactivateSigningKey } = await owner.request(DeactivateSigningKeyDocument, { id: registerSigningKey.id });
    expect(deactivateSigningKey.isActive).toBe(false);
    const { suspendApp } = await client(admin.token).request(SuspendAppDocument, { id: createApp.id, reason: 'malware' });
    expect(suspendApp.status).toBe('SUSPENDED');

    const { auditLogs } = await owner.request(AuditLogsDocument, { first: 50 });
    expect(auditLogs.edges.map((edge) => edge.node.action)).toEqual(
      expect.arrayContaining(['app.create', 'version.create', 'version.publish']),
    );
  });

  it('reports contract errors with their code and field', async () => {
    const owner = client((await signUpDeveloper(server)).token);
    const badInput = await rejection(owner.request(CreateAppDocument, { input: { packageId: 'NotReverseDns', name: 'Bad' } }));
    expect(badInput).toMatchObject({ code: 'BAD_USER_INPUT', field: 'packageId', path: ['createApp'] });

    const { createApp } = await owner.request(CreateAppDocument, { input: { packageId: `com.sdk.dup${Date.now()}`, name: 'Dup' } });
    const conflict = await rejection(owner.request(CreateAppDocument, { input: { packageId: createApp.packageId, name: 'Dup' } }));
    expect(conflict.code).toBe('CONFLICT');

    const notAdmin = await rejection(owner.request(SuspendAppDocument, { id: createApp.id, reason: 'no' }));
    expect(notAdmin.code).toBe('FORBIDDEN');
  });

  it('reports an HTTP failure without a GraphQL body as MosisHttpError', async () => {
    const misconfigured = createMosisClient({ url: `${server.url}/not-the-api` });
    const error = await misconfigured.request(MeDocument).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MosisHttpError);
    expect(error).toMatchObject({ status: 404 });
  });
});

describe('telemetry and crashes', () => {
  it('ingests with an API key and reads the daily aggregate, raw events and crash groups', async () => {
    const { signUp } = await client().request(SignUpDocument, {
      input: { email: `sdk-telemetry-${Date.now()}@example.com`, name: 'Measurer', password },
    });
    const owner = client(signUp.token);
    const { createApp } = await owner.request(CreateAppDocument, { input: { packageId: `com.sdk.metrics${Date.now()}`, name: 'Metrics' } });
    const { createApiKey } = await owner.request(CreateApiKeyDocument, {
      input: { name: 'devices', permissions: ['telemetry:write', 'telemetry:read'] },
    });
    const devices = client(createApiKey.secret);

    const now = new Date();
    const timestamp = now.toISOString();
    const today = timestamp.slice(0, 10);
    const events = ['phone-1', 'phone-1', 'phone-2'].map((deviceId, i) => ({
      appId: createApp.id, deviceId, eventType: 'app_open', timestamp, eventId: `sdk-open-${i}`,
    }));
    expect(await devices.ingestTelemetry(events)).toEqual({ accepted: 3, duplicates: 0 });
    expect(await devices.ingestTelemetry(events)).toEqual({ accepted: 0, duplicates: 3 });

    const { telemetryDaily } = await devices.request(TelemetryDailyDocument, { appId: createApp.id, from: today, to: today });
    expect(telemetryDaily).toEqual([{ date: today, eventType: 'app_open', count: 3, uniqueDevices: 2 }]);
    const { telemetryEvents } = await owner.request(TelemetryEventsDocument, {
      appId: createApp.id, from: new Date(now.getTime() - 60_000).toISOString(), to: timestamp, first: 2,
    });
    expect(telemetryEvents).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(telemetryEvents.edges[0].node).toMatchObject({ appId: createApp.id, eventType: 'app_open' });

    const crash = { appId: createApp.id, appVersion: '1.0', deviceId: 'phone-1', crashType: 'NullPointer', stackTrace: 'at main (app.js:1)', timestamp };
    expect(await devices.ingestCrashes([crash, { ...crash, deviceId: 'phone-2' }])).toEqual({ accepted: 2, duplicates: 0 });
    const { crashGroups } = await devices.request(CrashGroupsDocument, { appId: createApp.id });
    expect(crashGroups.edges.map((edge) => edge.node)).toMatchObject([
      { crashType: 'NullPointer', count: 2, affectedDevices: 2, appVersions: ['1.0'] },
    ]);
  });

  it('reports a refused batch as MosisIngestError with the bad items', async () => {
    const { signUp } = await client().request(SignUpDocument, {
      input: { email: `sdk-refused-${Date.now()}@example.com`, name: 'Refused', password },
    });
    const owner = client(signUp.token);
    const { createApp } = await owner.request(CreateAppDocument, { input: { packageId: `com.sdk.refused${Date.now()}`, name: 'R' } });
    const { createApiKey } = await owner.request(CreateApiKeyDocument, { input: { name: 'devices', permissions: ['telemetry:write'] } });

    const good = { appId: createApp.id, deviceId: 'd', eventType: 'app_open', timestamp: new Date().toISOString() };
    const invalid = await client(createApiKey.secret).ingestTelemetry([good, { ...good, timestamp: 'yesterday' }]).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(MosisIngestError);
    expect(invalid).toMatchObject({ status: 400, errors: [{ index: 1, reason: expect.stringContaining('timestamp') }] });

    // A session token is no ingestion credential.
    const withSession = await owner.ingestTelemetry([good]).catch((e: unknown) => e);
    expect(withSession).toMatchObject({ name: 'MosisIngestError', status: 403, errors: [] });
  });
});

describe('releases and webhooks', () => {
  it('stages a rollout, steers it, asks for updates, reads version health and manages a webhook', async () => {
    const { signUp } = await client().request(SignUpDocument, {
      input: { email: `sdk-release-${Date.now()}@example.com`, name: 'Releaser', password },
    });
    const owner = client(signUp.token);
    const key = generateSigningKey();
    await owner.request(RegisterSigningKeyDocument, { input: { name: 'release', publicKey: key.publicKeyPem } });
    const { createApp } = await owner.request(CreateAppDocument, { input: { packageId: `com.sdk.rollout${Date.now()}`, name: 'Rollout' } });
    // A public address literal: registration needs no DNS, and no worker runs here to call it.
    const { createWebhook } = await owner.request(CreateWebhookDocument, {
      input: { url: 'https://93.184.215.14/hooks', events: ['version.submitted', 'rollout.halted'], appId: createApp.id },
    });
    expect(createWebhook).toMatchObject({ secret: expect.stringMatching(/^whsec_/), webhook: { appId: createApp.id } });

    const versionIds: string[] = [];
    for (const code of [1, 2, 3]) {
      const { createVersion } = await owner.request(CreateVersionDocument, { input: versionInput(createApp, key, code) });
      await owner.request(SubmitVersionForReviewDocument, { id: createVersion.id });
      await client(reviewer.token).request(ApproveVersionDocument, { id: createVersion.id });
      versionIds.push(createVersion.id);
    }
    const [v1, v2, v3] = versionIds;
    expect((await owner.request(PublishVersionDocument, { id: v1 })).publishVersion.rollout).toMatchObject({ percentage: 100, state: 'COMPLETE' });
    const staged = await owner.request(PublishVersionDocument, { id: v2, rolloutPercentage: 10, haltBelowCrashFreeRate: 0.95 });
    expect(staged.publishVersion.rollout).toMatchObject({ percentage: 10, state: 'ACTIVE', haltBelowCrashFreeRate: 0.95 });
    expect((await owner.request(UpdateRolloutDocument, { versionId: v2, percentage: 30 })).updateRollout.rollout?.percentage).toBe(30);
    expect((await owner.request(PauseRolloutDocument, { versionId: v2 })).pauseRollout.rollout?.state).toBe('PAUSED');
    expect((await owner.request(ResumeRolloutDocument, { versionId: v2 })).resumeRollout.rollout?.state).toBe('ACTIVE');
    expect((await owner.request(CompleteRolloutDocument, { versionId: v2 })).completeRollout.rollout?.state).toBe('COMPLETE');
    await owner.request(PublishVersionDocument, { id: v3, phased: true });
    const { haltRollout } = await owner.request(HaltRolloutDocument, { versionId: v3, reason: 'battery drain' });
    expect(haltRollout.rollout).toMatchObject({ state: 'HALTED', haltedReason: 'battery drain', phased: true });

    const { appUpdate } = await client().request(AppUpdateDocument, { packageId: createApp.packageId, deviceId: 'phone-1', currentVersionCode: 1 });
    expect(appUpdate?.versionCode).toBe(2);

    const { createApiKey } = await owner.request(CreateApiKeyDocument, { input: { name: 'devices', permissions: ['telemetry:write', 'telemetry:read'] } });
    const timestamp = new Date().toISOString();
    await client(createApiKey.secret).ingestTelemetry([{ appId: createApp.id, deviceId: 'phone-1', eventType: 'app_open', appVersion: '1.2', timestamp }]);
    const today = timestamp.slice(0, 10);
    const { versionHealth } = await owner.request(VersionHealthDocument, { appId: createApp.id, from: today, to: today });
    expect(versionHealth).toEqual([{ date: today, appVersion: '1.2', activeDevices: 1, crashedDevices: 0, crashFreeRate: 1 }]);

    const { me } = await owner.request(WebhooksDocument, { deliveriesFirst: 10 });
    const [webhook] = me!.webhooks;
    expect(webhook.deliveries.edges.map((edge) => edge.node.event).sort()).toEqual(['rollout.halted', 'version.submitted', 'version.submitted', 'version.submitted']);
    const { redeliverWebhookDelivery } = await owner.request(RedeliverWebhookDeliveryDocument, { id: webhook.deliveries.edges[0].node.id });
    expect(redeliverWebhookDelivery).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect((await owner.request(DeleteWebhookDocument, { id: webhook.id })).deleteWebhook.id).toBe(webhook.id);
    expect((await owner.request(WebhooksDocument, {})).me?.webhooks).toEqual([]);
  });
});

describe('automatic persisted queries', () => {
  it('sends the hash alone, the text once when the server asks, then the hash alone again', async () => {
    const dev = client(admin.token, { persisted: true });
    sent.length = 0;

    expect((await dev.request(MeDocument)).me?.email).toBe(admin.email);
    expect((await dev.request(MeDocument)).me?.email).toBe(admin.email);

    const hash = Object.keys(persistedOperations).find((h) => (persistedOperations as Record<string, string>)[h].startsWith('query Me '));
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    expect(sent).toEqual([
      { operationName: 'Me', variables: {}, extensions }, // miss: PERSISTED_QUERY_NOT_FOUND
      { operationName: 'Me', variables: {}, extensions, query: expect.stringContaining('query Me') }, // registers it
      { operationName: 'Me', variables: {}, extensions }, // hit: the server answered from the hash alone
    ]);
  });
});

it('exercised every operation of the SDK', () => {
  const operations = Object.values(persistedOperations).map((text) => /^(?:query|mutation) (\w+)/.exec(text)![1]);
  expect([...exercised].sort()).toEqual(operations.sort());
});
