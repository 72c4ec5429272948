import { createTestDatabase, type TestDatabase } from './helpers/database';
import { freePort, spawnNode, type Spawned, waitForHttp } from './helpers/processes';
import { Client } from 'pg';

/**
 * Finding 8: a failed insert logged its SQL parameters (bcrypt hashes, key hashes, emails). The
 * real server (dist/src/main.js, as `npm start` runs it) over a database whose inserts are made to
 * fail the way PostgreSQL's own constraint errors do, with the row in the error's detail.
 */
jest.setTimeout(60_000);

let database: TestDatabase;
let server: Spawned;
let url: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const client = new Client({ connectionString: database.url });
  await client.connect();
  await client.query(`
    CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'insert refused for the test' USING DETAIL = 'Failing row contains (' || row_to_json(NEW)::text || ')';
    END $$;
    CREATE TRIGGER refuse_developers BEFORE INSERT ON developers FOR EACH ROW
      WHEN (NEW.email LIKE 'refused-%') EXECUTE FUNCTION refuse_for_test();
    CREATE TRIGGER refuse_api_keys BEFORE INSERT ON api_keys FOR EACH ROW EXECUTE FUNCTION refuse_for_test();`);
  await client.end();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawnNode('dist/src/main.js', [], {
    DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'production',
    DEVICE_ID_HASH_KEY: 'k'.repeat(64), BCRYPT_COST: '4',
  });
  await waitForHttp(`${url}/readyz`, 30_000, server);
});
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  await database.drop();
});

const graphql = async (query: string, variables: object, token?: string) => {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as any;
};

it('logs a failed insert with its statement and cause, but no parameter, hash or email', async () => {
  const email = 'refused-ada@example.com';
  const refused = await graphql(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`,
    { input: { email, name: 'Ada', password: 'a long enough password' } });
  expect(refused.errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });

  const { data } = await graphql(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`,
    { input: { email: 'kept@example.com', name: 'Kept', password: 'a long enough password' } });
  const key = await graphql(`mutation { createApiKey(input: {name: "device", permissions: ["telemetry:write"]}) { secret } }`, {}, data.signUp.token);
  expect(key.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');

  await waitForLog(() => (server.output().match(/insert refused for the test/g) ?? []).length >= 2);
  const log = server.output();
  expect(log).toContain('INSERT INTO');
  expect(log).not.toContain('refused-ada');
  expect(log).not.toContain('kept@example.com');
  expect(log).not.toMatch(/\$2[aby]\$/); // bcrypt
  expect(log).not.toMatch(/[0-9a-f]{64}/); // key hashes
  expect(log).not.toMatch(/"parameters"|Failing row/);
});

async function waitForLog(done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}
