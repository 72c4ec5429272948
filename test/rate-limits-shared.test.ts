import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { freePort, spawnNode, type Spawned, waitForHttp } from './helpers/processes';
import { describeWithRedis, redisRateLimitEnv, startTestRedis, type TestRedis } from './helpers/redis';

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`;
const SIGN_IN = `mutation ($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`;

async function graphql(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[] }) };
}

/**
 * Two `npm start` processes (dist/src/main.js) over one database and one Redis, as a load-balanced
 * deployment runs: failed sign-ins spread over both still lock the account on either.
 */
describeWithRedis('rate limits shared through Redis by two server processes', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let dataDir: string;
  const servers: { url: string; process: Spawned }[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-shared-limits-'));
    const env = redisRateLimitEnv(redis);
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const child = spawnNode('dist/src/main.js', [], {
        ...env, DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn',
      });
      const url = `http://127.0.0.1:${port}`;
      servers.push({ url, process: child });
      await waitForHttp(`${url}/readyz`, 60_000, child);
    }
  }, 120_000);

  afterAll(async () => {
    for (const { process: child } of servers) {
      child.child.kill('SIGTERM');
      await child.exited;
    }
    await database?.drop();
    await redis?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('locks an email after 10 failures split between the two processes', async () => {
    const [a, b] = servers;
    const email = 'shared-limit@example.com';
    const password = 'the right password';
    expect((await graphql(a.url, SIGN_UP, { input: { email, name: 'Shared', password } })).errors).toBeUndefined();

    for (let i = 0; i < 5; i++) {
      expect((await graphql(a.url, SIGN_IN, { email, password: 'wrong password!' })).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await graphql(b.url, SIGN_IN, { email, password: 'wrong password!' })).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    // Each process saw only 5 failures; together they are 10, and both refuse the right password now.
    for (const server of [a, b]) {
      const locked = await graphql(server.url, SIGN_IN, { email, password });
      expect(locked.status).toBe(429);
      expect(locked.errors?.[0].extensions.code).toBe('RATE_LIMITED');
    }
  });
});
