import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnNode, type Spawned, waitForHttp } from './helpers/processes';

/**
 * The README's first steps, for real: `npm start` (dist/src/main.js, built by `npm test`'s pretest)
 * with no DATABASE_URL brings up the embedded PostgreSQL, migrates and serves; SIGTERM drains and
 * exits; after a kill -9 the next start recovers with the data intact.
 */
jest.setTimeout(120_000);

let dataDir: string;
let port: number;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-start-'));
  fs.chmodSync(dataDir, 0o755);
  port = await freePort();
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const start = async (): Promise<Spawned> => {
  const server = spawnNode('dist/src/main.js', [], {
    DATABASE_URL: undefined,
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, server);
  return server;
};

const graphql = async (query: string, variables: object = {}, token?: string) => {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as any;
};

const postmasterRunning = () => {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return false;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('starts from nothing, serves GraphiQL and the sign-up → API key → me flow, and stops cleanly on SIGTERM', async () => {
  const server = await start();
  const page = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
  expect(await page.text()).toContain('Mosis GraphiQL');

  const signUp = await graphql(`mutation { signUp(input: {email: "first@example.com", name: "First", password: "first password!"}) { token } }`);
  const token = signUp.data.signUp.token;
  const key = await graphql(`mutation { createApiKey(input: {name: "laptop", permissions: ["apps:read", "account:read"]}) { secret } }`, {}, token);
  const me = await graphql(`{ me { email } }`, {}, key.data.createApiKey.secret);
  expect(me.data.me.email).toBe('first@example.com');

  server.child.kill('SIGTERM');
  const exit = await server.exited;
  expect(exit.code).toBe(0);
  expect(server.output()).toContain('stopped');
  expect(postmasterRunning()).toBe(false);
});

it('recovers after kill -9, keeping the data', async () => {
  const crashed = await start();
  crashed.child.kill('SIGKILL');
  await crashed.exited;

  const server = await start();
  const signIn = await graphql(`mutation { signIn(email: "FIRST@example.com", password: "first password!") { developer { name } } }`);
  expect(signIn.data.signIn.developer.name).toBe('First');

  server.child.kill('SIGTERM');
  expect((await server.exited).code).toBe(0);
  expect(postmasterRunning()).toBe(false);
});
