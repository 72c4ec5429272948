import { createDataSource } from '../src/db/data-source';
import { ReadQueries } from '../src/db/reads';
import { deviceBucketSql } from '../src/releases/rollout-rule';
import { startReleaseUpkeep } from '../src/releases/release-upkeep';
import { RolloutService } from '../src/releases/rollout.service';
import { AppService } from '../src/apps/app.service';
import { AppVersionService } from '../src/versions/app-version.service';
import { createApiKey, createApp, signUp, signUpWithRole } from './helpers/factories';
import { appWithApprovedVersions, bucketOf, mutate, offeredCode, offeredCodes, publishStaged, ROLLOUT_FIELDS } from './helpers/releases';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ROLLOUT_PHASE_INTERVAL_SECONDS: '1' });
});
afterAll(() => server.close());

const latestCode = async (packageId: string) =>
  (await server.graphql(`query ($p: String) { app(packageId: $p) { latestVersion { versionCode } } }`, { p: packageId }))
    .data.app.latestVersion?.versionCode ?? null;

const versionRow = async (id: string) =>
  (await server.db.query(`SELECT status, rollout_state, rollout_percentage FROM app_versions WHERE id = $1`, [id]))[0];

describe('publishVersion with a rollout', () => {
  it('publishes fully without rollout arguments: COMPLETE at 100%, and it becomes latestVersion', async () => {
    const { owner, app, approved: [v2] } = await appWithApprovedVersions(server);
    const published = await publishStaged(server, owner.token, v2.id);
    expect(published).toMatchObject({ status: 'PUBLISHED', rollout: { percentage: 100, state: 'COMPLETE', phased: false, haltedReason: null } });
    expect(await latestCode(app.packageId)).toBe(2);
  });

  it('starts a staged rollout below 100%; latestVersion stays on the fully rolled out version', async () => {
    const { owner, app, approved: [v2] } = await appWithApprovedVersions(server);
    const published = await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 10, haltBelowCrashFreeRate: 0.98 });
    expect(published).toMatchObject({ status: 'PUBLISHED', rollout: { percentage: 10, state: 'ACTIVE', haltBelowCrashFreeRate: 0.98 } });
    expect(await latestCode(app.packageId)).toBe(1);
  });

  it.each([[0], [-5], [100.5], [1000]])('refuses rolloutPercentage %p with BAD_USER_INPUT and changes nothing', async (rolloutPercentage) => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    const result = await mutate(server, owner.token, `publishVersion(id: $id, rolloutPercentage: $rolloutPercentage) { id }`, { id: v2.id, rolloutPercentage });
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rolloutPercentage' });
    expect(await versionRow(v2.id)).toMatchObject({ status: 'approved', rollout_state: null });
  });

  it.each([
    ['outside 0..1', { rolloutPercentage: 10, haltBelowCrashFreeRate: 95 }],
    ['on a full publish, which can never halt', { haltBelowCrashFreeRate: 0.9 }],
  ])('refuses a crash-free threshold %s', async (_label, args) => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    const params = Object.keys(args).map((name) => `${name}: $${name}`).join(', ');
    const result = await mutate(server, owner.token, `publishVersion(id: $id, ${params}) { id }`, { id: v2.id, ...args });
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'haltBelowCrashFreeRate' });
    expect((await versionRow(v2.id)).status).toBe('approved');
  });

  it('halts an older ACTIVE rollout when a newer version is published ("superseded by")', async () => {
    const { owner, app, approved: [v2, v3] } = await appWithApprovedVersions(server, 2);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 20 });
    await publishStaged(server, owner.token, v3.id, { rolloutPercentage: 5 });
    const versions = await server.graphql(`query ($id: ID) { app(id: $id) { versions { edges { node { ${ROLLOUT_FIELDS} } } } } }`, { id: app.id }, owner.token);
    const byCode = Object.fromEntries(versions.data.app.versions.edges.map((e: any) => [e.node.versionCode, e.node.rollout]));
    expect(byCode[2]).toMatchObject({ state: 'HALTED', haltedReason: 'superseded by 1.3', percentage: 20 });
    expect(byCode[3]).toMatchObject({ state: 'ACTIVE', percentage: 5 });
    expect(byCode[1]).toMatchObject({ state: 'COMPLETE' });
  });
});

describe('changing a rollout', () => {
  it('raises, pauses, resumes and completes, auditing each change against the version', async () => {
    const { owner, app, approved: [v2] } = await appWithApprovedVersions(server);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 10 });
    const step = async (field: string, variables: Record<string, unknown> = {}) => {
      const result = await mutate(server, owner.token, `${field} { rollout { percentage state } }`, { versionId: v2.id, ...variables });
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return Object.values(result.data)[0] as any;
    };
    expect(await step('updateRollout(versionId: $versionId, percentage: $percentage)', { percentage: 25.5 })).toMatchObject({ rollout: { percentage: 25.5, state: 'ACTIVE' } });
    expect(await step('pauseRollout(versionId: $versionId)')).toMatchObject({ rollout: { percentage: 25.5, state: 'PAUSED' } });
    expect(await step('resumeRollout(versionId: $versionId)')).toMatchObject({ rollout: { state: 'ACTIVE' } });
    expect(await latestCode(app.packageId)).toBe(1);
    expect(await step('completeRollout(versionId: $versionId)')).toMatchObject({ rollout: { percentage: 100, state: 'COMPLETE' } });
    expect(await latestCode(app.packageId)).toBe(2);

    const audit = await server.db.query(
      `SELECT action, actor_id, metadata->'rollout'->>'state' AS state FROM audit_logs WHERE target_type = 'app_version' AND target_id = $1 AND action LIKE 'rollout.%' ORDER BY id`,
      [v2.id],
    );
    expect(audit.map((a: any) => [a.action, a.state])).toEqual([
      ['rollout.start', 'active'], ['rollout.update', 'active'], ['rollout.pause', 'paused'], ['rollout.resume', 'active'], ['rollout.complete', 'complete'],
    ]);
    expect(new Set(audit.map((a: any) => a.actor_id))).toEqual(new Set([owner.id]));
  });

  it('updates only upward and to at most 100; 100 completes it', async () => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 30 });
    for (const percentage of [30, 10, 101]) {
      const result = await mutate(server, owner.token, `updateRollout(versionId: $versionId, percentage: $percentage) { id }`, { versionId: v2.id, percentage });
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'percentage' });
    }
    const done = await mutate(server, owner.token, `updateRollout(versionId: $versionId, percentage: $percentage) { rollout { state percentage } }`, { versionId: v2.id, percentage: 100 });
    expect(done.data.updateRollout.rollout).toEqual({ state: 'COMPLETE', percentage: 100 });
  });

  it('halts with the given reason; a HALTED or COMPLETE rollout refuses every change', async () => {
    const { owner, approved: [v2, v3] } = await appWithApprovedVersions(server, 2);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 10 });
    const halted = await mutate(server, owner.token, `haltRollout(versionId: $versionId, reason: $reason) { rollout { state haltedReason } }`,
      { versionId: v2.id, reason: 'login broken on tablets' });
    expect(halted.data.haltRollout.rollout).toEqual({ state: 'HALTED', haltedReason: 'login broken on tablets' });
    await publishStaged(server, owner.token, v3.id);
    for (const versionId of [v2.id, v3.id]) {
      for (const [field, extra] of [
        ['pauseRollout(versionId: $versionId)', {}], ['resumeRollout(versionId: $versionId)', {}],
        ['haltRollout(versionId: $versionId, reason: $reason)', { reason: 'again' }],
        ['updateRollout(versionId: $versionId, percentage: $percentage)', { percentage: 99 }],
      ] as const) {
        const result = await mutate(server, owner.token, `${field} { id }`, { versionId, ...extra });
        expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'versionId' });
      }
    }
  });

  it('refuses blank, NUL-carrying or overlong halt reasons', async () => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 10 });
    for (const reason of ['  ', 'bad\u0000reason', 'x'.repeat(1001), 'lone \ud800 surrogate']) {
      const result = await mutate(server, owner.token, `haltRollout(versionId: $versionId, reason: $reason) { id }`, { versionId: v2.id, reason });
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    }
    expect((await versionRow(v2.id)).rollout_state).toBe('active');
  });

  it('is for the owner only: strangers get FORBIDDEN, a key needs apps:write; authorization comes before validation', async () => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 10 });
    const stranger = await signUp(server);
    const strangerResult = await mutate(server, stranger.token, `updateRollout(versionId: $versionId, percentage: $percentage) { id }`, { versionId: v2.id, percentage: -1 });
    expect(errorOf(strangerResult).code).toBe('FORBIDDEN');
    const readOnly = await createApiKey(server, owner.token, ['apps:read']);
    expect(errorOf(await mutate(server, readOnly.secret, `pauseRollout(versionId: $versionId) { id }`, { versionId: v2.id })).code).toBe('FORBIDDEN');
    const writer = await createApiKey(server, owner.token, ['apps:write']);
    const paused = await mutate(server, writer.secret, `pauseRollout(versionId: $versionId) { rollout { state } }`, { versionId: v2.id });
    expect(paused.data.pauseRollout.rollout.state).toBe('PAUSED');
    expect(errorOf(await mutate(server, owner.token, `pauseRollout(versionId: $versionId) { id }`, { versionId: '00000000-0000-0000-0000-000000000000' })).code).toBe('NOT_FOUND');
  });
});

describe('device buckets', () => {
  const devices = Array.from({ length: 10_000 }, (_, i) => `synthetic-device-${i}`);

  it('follow the contract formula exactly, and 5/20/50% include that share of 10,000 devices within ±1.5 points', async () => {
    const appId = '3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b';
    const rows: { bucket: string }[] = await server.db.query(
      `SELECT ${deviceBucketSql('$1::uuid', 'd')} AS bucket FROM unnest($2::text[]) WITH ORDINALITY AS t(d, n) ORDER BY n`,
      [appId, devices],
    );
    const buckets = rows.map((r) => Number(r.bucket));
    expect(buckets).toEqual(devices.map((d) => bucketOf(appId, d)));
    let previous = new Set<string>();
    for (const percentage of [5, 20, 50]) {
      const included = new Set(devices.filter((d) => bucketOf(appId, d) < percentage * 100));
      expect(Math.abs((included.size / devices.length) * 100 - percentage)).toBeLessThanOrEqual(1.5);
      for (const device of previous) expect(included.has(device)).toBe(true);
      previous = included;
    }
  });

  it('decide what appUpdate offers: the staged version to included devices only, more as it rises, nobody once halted', async () => {
    const { owner, app, approved: [v2] } = await appWithApprovedVersions(server);
    const sample = devices.slice(0, 200);
    await publishStaged(server, owner.token, v2.id, { rolloutPercentage: 20 });
    const offered = () => offeredCodes(server, app.packageId, sample, 0);
    const at20 = await offered();
    expect(at20).toEqual(sample.map((d) => (bucketOf(app.id, d) < 2000 ? 2 : 1)));
    await mutate(server, owner.token, `updateRollout(versionId: $versionId, percentage: $percentage) { id }`, { versionId: v2.id, percentage: 50 });
    const at50 = await offered();
    expect(at50).toEqual(sample.map((d) => (bucketOf(app.id, d) < 5000 ? 2 : 1)));
    at20.forEach((code, i) => code === 2 && expect(at50[i]).toBe(2));
    await mutate(server, owner.token, `haltRollout(versionId: $versionId, reason: $reason) { id }`, { versionId: v2.id, reason: 'crashes' });
    expect(new Set(await offered())).toEqual(new Set([1]));
    expect(await offeredCode(server, app.packageId, sample[0], 1)).toBeNull();
  });

  it('appUpdate answers null for unknown, draft and suspended apps, and refuses bad device ids', async () => {
    expect(await offeredCode(server, 'com.nobody.here', 'device-1')).toBeNull();
    const { owner, app } = await appWithApprovedVersions(server, 0);
    expect(await offeredCode(server, app.packageId, 'device-1', 0)).toBe(1);
    const draft = await createApp(server, owner.token);
    expect(await offeredCode(server, draft.packageId, 'device-1', 0)).toBeNull();
    const admin = await signUpWithRole(server, 'admin');
    await server.graphql(`mutation ($id: ID!) { suspendApp(id: $id, reason: "malware") { id } }`, { id: app.id }, admin.token);
    expect(await offeredCode(server, app.packageId, 'device-1', 0)).toBeNull();
    for (const deviceId of ['', 'x'.repeat(257), 'nul\u0000id']) {
      const result = await server.graphql(`query ($d: String!) { appUpdate(packageId: "com.a.b", deviceId: $d) { id } }`, { d: deviceId });
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deviceId' });
    }
  });
});

describe('phased rollouts', () => {
  it('step along 1, 2, 5 … by the server\'s own upkeep, not while paused', async () => {
    const { owner, approved: [v2] } = await appWithApprovedVersions(server);
    const published = await publishStaged(server, owner.token, v2.id, { phased: true });
    expect(published.rollout).toMatchObject({ percentage: 1, state: 'ACTIVE', phased: true });
    const upkeep = startReleaseUpkeep(server.services.rollouts, () => {}, 100);
    try {
      await waitFor(async () => (await versionRow(v2.id)).rollout_percentage >= 5, 10_000);
      await mutate(server, owner.token, `pauseRollout(versionId: $versionId) { id }`, { versionId: v2.id });
      const paused = (await versionRow(v2.id)).rollout_percentage;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await versionRow(v2.id)).rollout_percentage).toBe(paused);
    } finally {
      await upkeep.stop();
    }
    const steps = await server.db.query(
      `SELECT (metadata->'rollout'->>'percentage')::float AS percentage FROM audit_logs WHERE target_id = $1 AND action = 'rollout.phase' ORDER BY id`, [v2.id]);
    expect(steps.map((s: any) => s.percentage).slice(0, 2)).toEqual([2, 5]);
  });

  it('never double-steps with two server processes advancing at once', async () => {
    const versions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { owner, approved } = await appWithApprovedVersions(server);
      await publishStaged(server, owner.token, approved[0].id, { phased: true });
      versions.push(approved[0].id);
    }
    const other = createDataSource({ url: server.database.url, pool: server.config.db });
    await other.initialize();
    try {
      const second = new RolloutService(other, new AppVersionService(other, new AppService(other, new ReadQueries(other, true))), { phaseIntervalSeconds: 3600 });
      const first = new RolloutService(server.db, server.services.versions, { phaseIntervalSeconds: 3600 });
      await server.db.query(`UPDATE app_versions SET rollout_next_step_at = now() - interval '1 second' WHERE id = ANY($1)`, [versions]);
      await Promise.all([...Array(5)].flatMap(() => [first.advancePhases(), second.advancePhases()]));
    } finally {
      await other.destroy();
    }
    const rows = await server.db.query(`SELECT rollout_percentage FROM app_versions WHERE id = ANY($1)`, [versions]);
    expect(rows.map((r: any) => r.rollout_percentage)).toEqual([2, 2, 2, 2]);
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM audit_logs WHERE target_id = ANY($1::text[]) AND action = 'rollout.phase'`, [versions]);
    expect(count).toBe(4);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
