import { startReleaseUpkeep } from '../src/releases/release-upkeep';
import { createApiKey } from './helpers/factories';
import { appWithApprovedVersions, offeredCode, publishStaged } from './helpers/releases';
import { crashReport, post, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** v2 published at 10% with a 0.9 crash-free threshold, and a device key for the app. */
async function stagedWithThreshold() {
  const release = await appWithApprovedVersions(server);
  const [v2] = release.approved;
  await publishStaged(server, release.owner.token, v2.id, { rolloutPercentage: 10, haltBelowCrashFreeRate: 0.9 });
  const { secret } = await createApiKey(server, release.owner.token, ['telemetry:write']);
  const activeOn = (devices: string[]) =>
    post(server, '/v1/telemetry', secret, devices.map((deviceId) => telemetryEvent(release.app.id, { deviceId, appVersion: v2.versionName })));
  const crashOn = (devices: string[]) =>
    post(server, '/v1/crashes', secret, devices.map((deviceId) => crashReport(release.app.id, { deviceId, appVersion: v2.versionName })));
  return { ...release, v2, activeOn, crashOn };
}

const rolloutOf = async (id: string) =>
  (await server.db.query(`SELECT rollout_state AS state, rollout_halted_reason AS reason FROM app_versions WHERE id = $1`, [id]))[0];

const devices = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `device-${from + i}`);

it('halts a rollout by itself once its crash-free rate falls below the threshold, with the rate as the reason', async () => {
  const { app, v2, activeOn, crashOn } = await stagedWithThreshold();
  await activeOn(devices(60));
  await crashOn(devices(5)); // 55 of 60 crash-free: 0.9167, above 0.9
  expect(await server.services.rollouts.haltUnhealthy()).toEqual([]);
  expect((await rolloutOf(v2.id)).state).toBe('active');

  const upkeep = startReleaseUpkeep(server.services.rollouts, () => {}, 100);
  try {
    await crashOn(devices(3, 5)); // 52 of 60: 0.8667
    const deadline = Date.now() + 10_000;
    while ((await rolloutOf(v2.id)).state !== 'halted') {
      if (Date.now() > deadline) throw new Error('the rollout did not halt');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await upkeep.stop();
  }
  const { reason } = await rolloutOf(v2.id);
  expect(reason).toContain('crash-free');
  expect(reason).toContain('0.8667');
  const audit = await server.db.query(
    `SELECT actor_id FROM audit_logs WHERE action = 'rollout.auto_halt' AND target_type = 'app_version' AND target_id = $1`, [v2.id]);
  expect(audit).toEqual([{ actor_id: null }]);
  // Halted: no device is offered v2 any more.
  for (const device of devices(50)) expect(await offeredCode(server, app.packageId, device, 1)).toBeNull();
});

it('does not halt on fewer than 50 active devices, however bad the rate', async () => {
  const { v2, activeOn, crashOn } = await stagedWithThreshold();
  await activeOn(devices(49));
  await crashOn(devices(20));
  expect(await server.services.rollouts.haltUnhealthy()).toEqual([]);
  await activeOn(devices(1, 49));
  expect((await server.services.rollouts.haltUnhealthy()).map((v) => v.id)).toEqual([v2.id]);
});

it('halts once even when two server processes check at the same time', async () => {
  const { v2, activeOn, crashOn } = await stagedWithThreshold();
  await activeOn(devices(50));
  await crashOn(devices(10));
  const [a, b] = await Promise.all([server.services.rollouts.haltUnhealthy(), server.services.rollouts.haltUnhealthy()]);
  expect([...a, ...b].map((v) => v.id)).toEqual([v2.id]);
  const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM audit_logs WHERE action = 'rollout.auto_halt' AND target_id = $1`, [v2.id]);
  expect(count).toBe(1);
});
