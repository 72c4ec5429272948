import { publishedApp } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * A list of apps reads each app's latest version with only the columns its selection asks for.
 * Another part of the same query asking other fields of the same version must still get them all.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('two selections of the same latest version in one query each get the fields they ask for', async () => {
  const { app, version, owner } = await publishedApp(server);
  const result = await server.graphql(
    `query ($developerId: ID!, $packageId: String!) {
      apps(developerId: $developerId, first: 5) { edges { node { id latestVersion { versionCode } } } }
      app(packageId: $packageId) { latestVersion { id versionName signature packageSha256 rollout { state percentage } app { packageId } } }
    }`,
    { developerId: owner.id, packageId: app.packageId },
    owner.token,
  );
  expect(result.errors).toBeUndefined();
  expect(result.data.apps.edges).toEqual([{ node: { id: app.id, latestVersion: { versionCode: 1 } } }]);
  const latest = result.data.app.latestVersion;
  expect(latest).toMatchObject({ id: version.id, versionName: expect.any(String), app: { packageId: app.packageId } });
  expect(latest.signature).toEqual(expect.any(String));
  expect(latest.packageSha256).toMatch(/^[0-9a-f]{64}$/);
  expect(latest.rollout).toMatchObject({ state: 'COMPLETE', percentage: 100 });
});

it('an app reached again through its versions answers its latest version with the fields asked there', async () => {
  const { app, owner } = await publishedApp(server);
  const result = await server.graphql(
    `query ($developerId: ID!) {
      apps(developerId: $developerId, first: 5) { edges { node {
        latestVersion { versionCode }
        versions(first: 1) { edges { node { app { id latestVersion { signature releaseNotes packageSize } } } } }
      } } }
    }`,
    { developerId: owner.id },
    owner.token,
  );
  expect(result.errors).toBeUndefined();
  const again = result.data.apps.edges[0].node.versions.edges[0].node.app;
  expect(again.id).toBe(app.id);
  expect(again.latestVersion.signature).toEqual(expect.any(String));
  expect(again.latestVersion.packageSize).toEqual(expect.anything());
});
