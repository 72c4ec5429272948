import { signUp } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * Lists resolve every relation through per-request DataLoaders: the number of SQL statements for
 * a page must not depend on how many items the page holds. The hot read shapes go further: the
 * relations a selection asks for come in the same statement, and a remembered credential is
 * re-checked inside that statement (test/credential-cache.test.ts has the first-use counts).
 */
let server: TestServer;
let owner: { id: string; token: string };
beforeAll(async () => {
  server = await startTestServer();
  // 120 published apps over 12 developers, each with 3 published versions, written straight to SQL.
  for (let d = 0; d < 12; d++) {
    const dev = await signUp(server);
    owner = dev;
    const [key] = await server.db.query(
      `INSERT INTO signing_keys (developer_id, name, public_key, fingerprint) VALUES ($1::uuid, 'k', 'pem', md5($1::text) || md5($1::text)) RETURNING id`,
      [dev.id],
    );
    await server.db.query(
      `WITH apps AS (
         INSERT INTO apps (developer_id, package_id, name, status)
         SELECT $1, 'com.count.d' || $3 || '.a' || g, 'App ' || g, 'published' FROM generate_series(1, 10) g RETURNING id)
       INSERT INTO app_versions (app_id, version_code, version_name, package_url, package_size, package_sha256, signature, signing_key_id, status, published_at)
       SELECT apps.id, c, '1.' || c, 'https://x/y', 1, repeat('a', 64), 'sig', $2, 'published', now() FROM apps, generate_series(1, 3) c`,
      [dev.id, key.id, d],
    );
  }
  await server.graphql('{ me { id } }', {}, owner.token); // the server remembers the credential from here on
});
afterAll(() => server.close());

async function statementsFor(query: string, variables?: Record<string, unknown>, token?: string): Promise<number> {
  server.statements.reset();
  const result = await server.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return server.statements.count;
}

it('apps with developer and latest version: the same statements for 10 and 100 apps', async () => {
  const query = (n: number) => `{ apps(first: ${n}) { edges { node { id name developer { id name } latestVersion { versionCode app { id } } } } } }`;
  const ten = await statementsFor(query(10));
  const hundred = await statementsFor(query(100));
  expect(hundred).toBe(ten);
  expect(hundred).toBe(1); // the page with each app's developer and latest version
});

it('one app with its developer and latest version, asked through fragments: one statement, with or without a credential', async () => {
  const query = `query($packageId: String!) { app(packageId: $packageId) { ...card } }
    fragment card on App { name ... on App { developer { name } latestVersion { versionCode app { id } } } }`;
  expect(await statementsFor(query, { packageId: 'com.count.d0.a1' })).toBe(1);
  expect(await statementsFor(query, { packageId: 'com.count.d0.a1' }, owner.token)).toBe(1);
});

it("an app's daily telemetry, a page of its events and its crash groups: the read authorizes itself and re-checks the credential", async () => {
  const [{ id }] = await server.db.query(`SELECT id FROM apps WHERE developer_id = $1 LIMIT 1`, [owner.id]);
  const daily = `query($appId: ID!) { telemetryDaily(appId: $appId, from: "2026-01-01", to: "2026-03-31") { date count } }`;
  const events = `query($appId: ID!) { telemetryEvents(appId: $appId, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", first: 50) {
    edges { node { id timestamp } } } }`;
  const crashes = `query($appId: ID!) { crashGroups(appId: $appId, first: 20) { edges { node { fingerprint count lastSeen } } } }`;
  expect(await statementsFor(daily, { appId: id }, owner.token)).toBe(1);
  expect(await statementsFor(events, { appId: id }, owner.token)).toBe(1);
  expect(await statementsFor(crashes, { appId: id }, owner.token)).toBe(1);
});

it('nested lists (apps → developer → apps → versions) stay constant too', async () => {
  const query = (n: number) => `{ apps(first: ${n}) { totalCount edges { node {
      developer { apps(first: 5) { totalCount edges { node { latestVersion { id } versions(first: 2) { totalCount edges { node { versionCode } } } } } } }
  } } } }`;
  const ten = await statementsFor(query(10));
  const hundred = await statementsFor(query(100));
  expect(hundred).toBe(ten);
});

it('search results with their relations stay constant', async () => {
  const query = (n: number) => `{ searchApps(query: "app", first: ${n}) { edges { node { developer { name } latestVersion { versionCode } } } } }`;
  expect(await statementsFor(query(100))).toBe(await statementsFor(query(10)));
});
