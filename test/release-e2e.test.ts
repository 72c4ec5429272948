import { startReleaseUpkeep } from '../src/releases/release-upkeep';
import { startWebhookWorker } from '../src/webhooks/webhook-worker';
import { createApiKey } from './helpers/factories';
import { appWithApprovedVersions, bucketOf, offeredCodes, publishStaged, registerWebhook } from './helpers/releases';
import { crashReport, post, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';
import { type Receiver, startReceiver } from './helpers/webhook-receiver';

/** The "done when": one release, staged, measured, halted by itself, announced by webhooks. */
jest.setTimeout(120_000);

let server: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '50' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await server.close();
});

it('stages v2 at 10%, halts it when its crash-free rate drops, and tells the webhook', async () => {
  const upkeep = startReleaseUpkeep(server.services.rollouts, () => {}, 200);
  const worker = startWebhookWorker(server.services.webhookDispatcher, () => {}, 50);
  try {
    // v1 published fully (by the helper); then the webhook; v2 at 10% with a 0.9 crash-free floor.
    const { owner, app, approved: [v2] } = await appWithApprovedVersions(server);
    await registerWebhook(server, owner.token, receiver, ['version.published', 'rollout.halted', 'crash_group.created'], app.id);
    const published = await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 10, haltBelowCrashFreeRate: 0.9 });
    expect(published.rollout).toMatchObject({ percentage: 10, state: 'ACTIVE' });

    // 1,000 devices on v1 ask for an update: exactly those whose bucket is below 1000 get v2.
    const devices = Array.from({ length: 1000 }, (_, i) => `handset-${i}`);
    const offered = await offeredCodes(server, app.packageId, devices);
    const upgraded = devices.filter((_, i) => offered[i] === 2);
    expect(upgraded).toEqual(devices.filter((d) => bucketOf(app.id, d) < 1000));
    expect(offered.filter((code) => code !== 2 && code !== null)).toEqual([]);
    // About 10%: the app id is random, so the share is binomial (sd ≈ 0.0095 for 1,000 devices);
    // the bounds sit 5 sd out. The exact membership is the check above.
    expect(upgraded.length / devices.length).toBeGreaterThan(0.05);
    expect(upgraded.length / devices.length).toBeLessThan(0.15);

    // The upgraded devices run v2; 15% of them crash (crash-free 0.85 < 0.9).
    const { secret } = await createApiKey(server, owner.token, ['telemetry:write']);
    const opens = upgraded.map((deviceId) => telemetryEvent(app.id, { deviceId, appVersion: v2.versionName, timestamp: new Date().toISOString() }));
    expect((await post(server, '/v1/telemetry', secret, opens)).status).toBe(202);
    const crashing = upgraded.slice(0, Math.ceil(upgraded.length * 0.15));
    const crashes = crashing.map((deviceId) => crashReport(app.id, { deviceId, appVersion: v2.versionName, timestamp: new Date().toISOString() }));
    expect((await post(server, '/v1/crashes', secret, crashes)).status).toBe(202);

    // The server halts the rollout by itself and says why.
    const deadline = Date.now() + 60_000;
    let rollout: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      rollout = (await server.graphql(`query ($id: ID) { app(id: $id) { versions(first: 1) { edges { node { rollout { state haltedReason } } } } } }`,
        { id: app.id }, owner.token)).data.app.versions.edges[0].node.rollout;
    } while (rollout.state !== 'HALTED' && Date.now() < deadline);
    expect(rollout.state).toBe('HALTED');
    expect(rollout.haltedReason).toMatch(/crash-free rate 0\.8\d{3}/);

    // Signed deliveries of each event arrived.
    const types = async () => new Set(receiver.messages.map((m) => m.body.type));
    while ((await types()).size < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.messages.every((m) => m.verified)).toBe(true);
    expect(await types()).toEqual(new Set(['version.published', 'rollout.halted', 'crash_group.created']));
    expect(receiver.messages.find((m) => m.body.type === 'rollout.halted')!.body.data).toMatchObject({ versionId: v2.id, rollout: { state: 'HALTED' } });

    // No device is offered v2 any more.
    const after = await offeredCodes(server, app.packageId, upgraded);
    expect(new Set(after)).toEqual(new Set([null]));
  } finally {
    await worker.stop();
    await upkeep.stop();
  }
});
