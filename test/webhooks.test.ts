import { isForbiddenAddress } from '../src/webhooks/address-guard';
import { startWebhookWorker } from '../src/webhooks/webhook-worker';
import { createApiKey, createApp, createVersion, registerSigningKey, signUp, versionInput } from './helpers/factories';
import { appWithApprovedVersions, DELIVERIES, mutate, publishStaged, registerWebhook } from './helpers/releases';
import { crashReport, post } from './helpers/telemetry';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';
import { type Receiver, startReceiver } from './helpers/webhook-receiver';

let server: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_MAX_ATTEMPTS: '5', WEBHOOK_TIMEOUT_MS: '2000' });
});
afterAll(() => server.close());
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

/** Runs the delivery worker (as the server process does) while `work` runs. */
async function withWorker<T>(work: () => Promise<T>): Promise<T> {
  const worker = startWebhookWorker(server.services.webhookDispatcher, () => {}, 20);
  try {
    return await work();
  } finally {
    await worker.stop();
  }
}

async function deliveriesOf(token: string) {
  const result = await server.graphql(DELIVERIES, {}, token);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.me.webhooks.flatMap((w: any) => w.deliveries.edges.map((e: any) => e.node));
}

async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('registration', () => {
  it('shows a whsec_ secret once and lists the webhook without it', async () => {
    const owner = await signUp(server);
    const { id, secret } = await registerWebhook(server, owner.token, receiver, ['version.published', 'rollout.halted']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    const listed = await server.graphql(`{ me { webhooks { id url events appId createdAt } } }`, {}, owner.token);
    expect(listed.data.me.webhooks).toEqual([{ id, url: receiver.url, events: ['version.published', 'rollout.halted'], appId: null, createdAt: expect.any(String) }]);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6));
    const [audit] = await server.db.query(`SELECT action, metadata::text FROM audit_logs WHERE target_type = 'webhook' AND target_id = $1`, [id]);
    expect(audit.action).toBe('webhook.create');
    expect(audit.metadata).not.toContain(secret.slice(6));
  });

  it('refuses unknown event types and empty lists, naming the field', async () => {
    const owner = await signUp(server);
    for (const events of [['version.published', 'version.deleted'], []]) {
      const result = await server.graphql(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`,
        { input: { url: receiver.url, events } }, owner.token);
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
    }
  });

  it('needs account:write to create, delete and redeliver, account:read to list; another developer\'s app is refused', async () => {
    const owner = await signUp(server);
    const reader = await createApiKey(server, owner.token, ['account:read']);
    const writer = await createApiKey(server, owner.token, ['account:write']);
    const create = (token: string, appId?: string) => server.graphql(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`,
      { input: { url: receiver.url, events: ['version.published'], appId } }, token);
    expect(errorOf(await create(reader.secret)).code).toBe('FORBIDDEN');
    const created = await create(writer.secret);
    const webhookId = created.data.createWebhook.webhook.id;
    expect(errorOf(await server.graphql(`{ me { webhooks { id } } }`, {}, writer.secret)).code).toBe('FORBIDDEN');
    expect((await server.graphql(`{ me { webhooks { id } } }`, {}, reader.secret)).data.me.webhooks).toEqual([{ id: webhookId }]);
    expect(errorOf(await mutate(server, reader.secret, `deleteWebhook(id: $id) { id }`, { id: webhookId })).code).toBe('FORBIDDEN');
    const stranger = await signUp(server);
    const strangersDraft = await createApp(server, stranger.token);
    expect(errorOf(await create(owner.token, strangersDraft.id)).code).toBe('NOT_FOUND');
    expect(errorOf(await mutate(server, stranger.token, `deleteWebhook(id: $id) { id }`, { id: webhookId })).code).toBe('NOT_FOUND');
    expect((await mutate(server, writer.secret, `deleteWebhook(id: $id) { id }`, { id: webhookId })).data.deleteWebhook.id).toBe(webhookId);
  });
});

describe('delivery', () => {
  it('signs each POST (Standard Webhooks), retries failures with backoff and logs every attempt', async () => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    await registerWebhook(server, owner.token, receiver, ['version.published']);
    receiver.failNext = 2;
    await withWorker(async () => {
      await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 10 });
      await receiver.waitForRequests(3);
      await waitUntil(async () => (await deliveriesOf(owner.token))[0]?.status === 'DELIVERED');
    });
    expect(receiver.messages).toHaveLength(3);
    expect(new Set(receiver.messages.map((m) => m.webhookId)).size).toBe(1);
    const [message] = receiver.messages;
    expect(message.body).toMatchObject({
      id: message.webhookId, type: 'version.published',
      data: { versionId: v2.id, versionCode: 2, status: 'PUBLISHED', rollout: { percentage: 10, state: 'ACTIVE' } },
    });
    expect(Math.abs(message.timestamp - Date.now() / 1000)).toBeLessThan(60);
    const [delivery] = await deliveriesOf(owner.token);
    expect(delivery).toMatchObject({ event: 'version.published', status: 'DELIVERED', attempts: 3, responseStatus: 204, nextAttemptAt: null });
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS: FAILED, with the last answer kept', async () => {
    const owner = await signUp(server);
    const key = await registerSigningKey(server, owner.token);
    const app = await createApp(server, owner.token);
    await registerWebhook(server, owner.token, receiver, ['version.submitted']);
    receiver.failNext = 100;
    const version = await createVersion(server, owner.token, versionInput(app, key, 1));
    await withWorker(async () => {
      await mutate(server, owner.token, `submitVersionForReview(id: $id) { id }`, { id: version.id });
      await waitUntil(async () => (await deliveriesOf(owner.token))[0]?.status === 'FAILED');
    });
    expect(receiver.requests).toBe(5);
    expect((await deliveriesOf(owner.token))[0]).toMatchObject({ attempts: 5, responseStatus: 500, lastError: 'HTTP 500', nextAttemptAt: null });
  });

  it('redelivers a message as a new delivery with the same webhook-id', async () => {
    const owner = await signUp(server);
    const key = await registerSigningKey(server, owner.token);
    const app = await createApp(server, owner.token);
    await registerWebhook(server, owner.token, receiver, ['version.submitted']);
    const version = await createVersion(server, owner.token, versionInput(app, key, 1));
    await withWorker(async () => {
      await mutate(server, owner.token, `submitVersionForReview(id: $id) { id }`, { id: version.id });
      await receiver.waitForRequests(1);
      const [first] = await deliveriesOf(owner.token);
      const again = await mutate(server, owner.token, `redeliverWebhookDelivery(id: $id) { id event status attempts }`, { id: first.id });
      expect(again.data.redeliverWebhookDelivery).toMatchObject({ event: 'version.submitted', status: 'PENDING', attempts: 0 });
      expect(again.data.redeliverWebhookDelivery.id).not.toBe(first.id);
      await receiver.waitForRequests(2);
    });
    expect(receiver.messages.map((m) => m.webhookId)).toEqual([receiver.messages[0].webhookId, receiver.messages[0].webhookId]);
    const stranger = await signUp(server);
    const [latest] = await deliveriesOf(owner.token);
    expect(errorOf(await mutate(server, stranger.token, `redeliverWebhookDelivery(id: $id) { id }`, { id: latest.id })).code).toBe('NOT_FOUND');
  });

  it('records events in the transaction of their change: a refused publish emits nothing', async () => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    await registerWebhook(server, owner.token, receiver, ['version.published', 'rollout.updated']);
    const refused = await mutate(server, owner.token, `publishVersion(id: $id, rolloutPercentage: $rolloutPercentage) { id }`, { id: v2.id, rolloutPercentage: 0 });
    expect(errorOf(refused).code).toBe('BAD_USER_INPUT');
    expect(await deliveriesOf(owner.token)).toEqual([]);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 5 });
    await mutate(server, owner.token, `pauseRollout(versionId: $versionId) { id }`, { versionId: v2.id });
    expect((await deliveriesOf(owner.token)).map((d: any) => d.event).sort()).toEqual(['rollout.updated', 'version.published']);
  });

  it('sends an app-scoped webhook only that app\'s events, and crash_group.created once per new fingerprint', async () => {
    const owner = await signUp(server);
    const [watched, other] = [await createApp(server, owner.token), await createApp(server, owner.token)];
    await registerWebhook(server, owner.token, receiver, ['crash_group.created'], watched.id);
    const { secret } = await createApiKey(server, owner.token, ['telemetry:write']);
    await withWorker(async () => {
      for (const appId of [watched.id, other.id]) {
        expect((await post(server, '/v1/crashes', secret, [crashReport(appId), crashReport(appId), crashReport(appId, { crashType: 'OutOfMemoryError' })])).status).toBe(202);
      }
      await receiver.waitForRequests(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(receiver.messages.map((m) => [m.body.type, m.body.data.appId, m.body.data.crashType]).sort()).toEqual([
      ['crash_group.created', watched.id, 'OutOfMemoryError'], ['crash_group.created', watched.id, 'java.lang.NullPointerException'],
    ]);
  });

  it('drops a deleted webhook\'s pending deliveries', async () => {
    const owner = await signUp(server);
    const key = await registerSigningKey(server, owner.token);
    const app = await createApp(server, owner.token);
    const webhook = await registerWebhook(server, owner.token, receiver, ['version.submitted']);
    const version = await createVersion(server, owner.token, versionInput(app, key, 1));
    await mutate(server, owner.token, `submitVersionForReview(id: $id) { id }`, { id: version.id });
    expect((await deliveriesOf(owner.token))[0].status).toBe('PENDING');
    await mutate(server, owner.token, `deleteWebhook(id: $id) { id }`, { id: webhook.id });
    await withWorker(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(receiver.requests).toBe(0);
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM webhook_deliveries WHERE webhook_id = $1`, [webhook.id]);
    expect(count).toBe(0);
  });
});

describe('SSRF protection', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ WEBHOOK_RETRY_BASE_MS: '50' });
  });
  afterAll(() => strict.close());

  it.each([
    'http://example.com/hooks', 'https://127.0.0.1/x', 'https://localhost/x', 'https://[::1]/x', 'https://0x7f.1/x', 'https://2130706433/x',
    'https://017700000001/x', 'https://127.1/x', 'https://10.1.2.3/x', 'https://172.16.0.1/x', 'https://192.168.1.1/x', 'https://169.254.169.254/latest',
    'https://0.0.0.0/x', 'https://[::]/x', 'https://[::ffff:127.0.0.1]/x', 'https://[::ffff:a9fe:a9fe]/x', 'https://[fe80::1]/x', 'https://[fc00::1]/x',
    'https://[64:ff9b::a00:1]/x', 'https://[2002:c0a8:101::1]/x', 'https://user:pw@example.com/x', 'not a url',
  ])('refuses %s at registration', async (url) => {
    const owner = await signUp(strict);
    const result = await strict.graphql(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`,
      { input: { url, events: ['version.published'] } }, owner.token);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  });

  it('tells public addresses from the rest in every notation', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8']) {
      expect([address, isForbiddenAddress(address)]).toEqual([address, false]);
    }
    for (const address of ['127.0.0.1', '::1', '::ffff:7f00:1', '::ffff:10.0.0.1', '100.64.1.1', 'fe80::1%eth0', '::', 'ff02::1', '224.0.0.1', '255.255.255.255', 'not-an-ip']) {
      expect([address, isForbiddenAddress(address)]).toEqual([address, true]);
    }
  });

  it('checks the resolved address again at delivery time: a name that now points inside gets nothing sent', async () => {
    const owner = await signUp(strict);
    const app = await createApp(strict, owner.token);
    const port = new URL(receiver.url).port;
    // As if a public name had been re-pointed at loopback after registration (DNS rebinding).
    const [{ id: eventId }] = await strict.db.query(
      `INSERT INTO webhook_events (developer_id, app_id, type, data) VALUES ($1, $2, 'version.published', '{}') RETURNING id`, [owner.id, app.id]);
    const [{ id: webhookId }] = await strict.db.query(
      `INSERT INTO webhooks (developer_id, url, events, secret) VALUES ($1, $2, '{version.published}', '\\x00') RETURNING id`,
      [owner.id, `https://localhost:${port}/hooks`]);
    await strict.db.query(`INSERT INTO webhook_deliveries (webhook_id, event_id) VALUES ($1, $2)`, [webhookId, eventId]);
    expect(await strict.services.webhookDispatcher.runOnce()).toBe(1);
    const [delivery] = await strict.db.query(`SELECT status, attempts, last_error FROM webhook_deliveries WHERE webhook_id = $1`, [webhookId]);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery.last_error).toMatch(/localhost resolves to (127\.0\.0\.1|::1), which webhooks may not reach/);
    expect(receiver.requests).toBe(0);
  });
});
