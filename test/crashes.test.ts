import { signUp, signUpWithRole } from './helpers/factories';
import { crashReport, ingester, type Ingester, post } from './helpers/telemetry';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const GROUPS = `query ($appId: ID!, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  crashGroups(appId: $appId, from: $from, to: $to, first: $first, after: $after) {
    edges { cursor node { fingerprint crashType title count affectedDevices firstSeen lastSeen appVersions } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

const nativeTrace = (build: { pc: string; offset: string; buildId: string; installDir: string }) => `signal 11 (SIGSEGV)
  #00 pc ${build.pc}  /data/app/${build.installDir}/lib/arm64/libnotes.so (render_note+${build.offset}) (BuildId: ${build.buildId})
  #01 pc 000000000004e010  /data/app/${build.installDir}/lib/arm64/libnotes.so (layout_page+72)`;

const NOW = Date.now();
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

describe('crashGroups', () => {
  let owner: Ingester;
  beforeAll(async () => {
    owner = await ingester(server);
    const jvm = (line: number) =>
      `java.lang.IllegalStateException: bad state\n  at com.example.Sync.run(Sync.java:${line})\n  at java.lang.Thread.run(Thread.java:${line + 800})`;
    await post(server, '/v1/crashes', owner.key, [
      // One native bug from three devices on two builds: different addresses, offsets, build ids, install dirs.
      crashReport(owner.appId, {
        crashType: 'SIGSEGV', appVersion: '2.0.0', deviceId: 'pixel-1', timestamp: at(50), message: undefined,
        stackTrace: nativeTrace({ pc: '000000000004f2a8', offset: '164', buildId: '8f3c2a1b9d0e4f5a', installDir: '~~Xa81kQ==/com.example-1' }),
      }),
      crashReport(owner.appId, {
        crashType: 'SIGSEGV', appVersion: '2.1.0', deviceId: 'galaxy-7', timestamp: at(30), message: undefined,
        stackTrace: nativeTrace({ pc: '0x0000000000051c04', offset: '0xb4', buildId: '0c1d2e3f4a5b6c7d', installDir: '~~pQ77zz==/com.example-2' }),
      }),
      crashReport(owner.appId, {
        crashType: 'SIGSEGV', appVersion: '2.1.0', deviceId: 'galaxy-7', timestamp: at(20), message: undefined,
        stackTrace: nativeTrace({ pc: '0x0000000000051c04', offset: '0xb4', buildId: '0c1d2e3f4a5b6c7d', installDir: '~~pQ77zz==/com.example-2' }),
      }),
      crashReport(owner.appId, {
        crashType: 'SIGSEGV', appVersion: '2.1.0', deviceId: 'moto-3', timestamp: at(10), message: undefined,
        stackTrace: nativeTrace({ pc: '0x0000000000051c04', offset: '0xb4', buildId: '0c1d2e3f4a5b6c7d', installDir: '~~Zz00==/com.example-3' }),
      }),
      // A second bug, twice, differing only in line numbers.
      crashReport(owner.appId, { crashType: 'java.lang.IllegalStateException', appVersion: '2.0.0', stackTrace: jvm(41), timestamp: at(40) }),
      crashReport(owner.appId, { crashType: 'java.lang.IllegalStateException', appVersion: '2.1.0', stackTrace: jvm(57), timestamp: at(5) }),
      // A third, once.
      crashReport(owner.appId, { crashType: 'OutOfMemoryError', stackTrace: undefined, message: 'Failed to allocate 4096 bytes', timestamp: at(15) }),
    ]);
  });

  it('groups the same bug from different devices and builds, most crashes first, with exact figures', async () => {
    const result = await server.graphql(GROUPS, { appId: owner.appId }, owner.key);
    const { edges, totalCount } = result.data.crashGroups;
    expect(totalCount).toBe(3);
    expect(edges.map((e: any) => [e.node.crashType, e.node.count, e.node.affectedDevices])).toEqual([
      ['SIGSEGV', 4, 3],
      ['java.lang.IllegalStateException', 2, 1],
      ['OutOfMemoryError', 1, 1],
    ]);
    const native = edges[0].node;
    expect(native).toMatchObject({ title: 'SIGSEGV in libnotes.so (render_note)', appVersions: ['2.0.0', '2.1.0'] });
    expect(native.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(native.lastSeen) - Date.parse(native.firstSeen)).toBe(40 * 60_000);
    expect(edges[2].node.title).toBe('OutOfMemoryError: Failed to allocate 4096 bytes');
  });

  it('pages with a stable cursor and filters by time', async () => {
    const first = (await server.graphql(GROUPS, { appId: owner.appId, first: 2 }, owner.key)).data.crashGroups;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await server.graphql(GROUPS, { appId: owner.appId, first: 2, after: first.pageInfo.endCursor }, owner.key)).data.crashGroups;
    expect(second.edges.map((e: any) => e.node.crashType)).toEqual(['OutOfMemoryError']);
    expect(second.pageInfo.hasNextPage).toBe(false);

    const lastQuarterHour = (await server.graphql(GROUPS, { appId: owner.appId, from: at(16) }, owner.key)).data.crashGroups;
    const counts = lastQuarterHour.edges.map((e: any) => [e.node.crashType, e.node.count]);
    expect(counts).toHaveLength(3);
    expect(counts).toEqual(expect.arrayContaining([['SIGSEGV', 1], ['OutOfMemoryError', 1], ['java.lang.IllegalStateException', 1]]));
    expect(lastQuarterHour.totalCount).toBe(3);
  });

  it('is private to the developer and admins, checked before the input', async () => {
    const stranger = await signUp(server);
    const inverted = { appId: owner.appId, from: at(0), to: at(60), after: 'garbage' };
    expect(errorOf(await server.graphql(GROUPS, inverted, stranger.token)).code).toBe('NOT_FOUND');
    expect(errorOf(await server.graphql(GROUPS, inverted, owner.key)).code).toBe('BAD_USER_INPUT');
    const admin = await signUpWithRole(server, 'admin');
    expect((await server.graphql(GROUPS, { appId: owner.appId }, admin.token)).data.crashGroups.totalCount).toBe(3);
  });

  it('includes newly accepted reports at once', async () => {
    const app = await ingester(server);
    await post(server, '/v1/crashes', app.key, [crashReport(app.appId)]);
    const before = (await server.graphql(GROUPS, { appId: app.appId }, app.key)).data.crashGroups.edges[0].node;
    await post(server, '/v1/crashes', app.key, [crashReport(app.appId, { deviceId: 'device-2', appVersion: '2.2.0' })]);
    const after = (await server.graphql(GROUPS, { appId: app.appId }, app.key)).data.crashGroups.edges[0].node;
    expect(after).toMatchObject({ fingerprint: before.fingerprint, count: 2, affectedDevices: 2, appVersions: ['2.1.0', '2.2.0'] });
  });
});
