import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createApp, createVersion, registerSigningKey, signUp, versionInput } from './helpers/factories';
import { freePort, spawnNode, type Spawned, waitForHttp } from './helpers/processes';
import { mutate, registerWebhook } from './helpers/releases';
import type { TestServer } from './helpers/test-server';
import { type Receiver, startReceiver } from './helpers/webhook-receiver';

/**
 * At-least-once delivery across a crash: a real server process (npm start's entry point) is killed
 * with SIGKILL while its delivery is in flight; another process on the same database delivers the
 * same message (same webhook-id) once the claim's lease runs out.
 */
jest.setTimeout(120_000);

let database: TestDatabase;
let dataDir: string;
let receiver: Receiver;
let port: number;
beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-webhooks-'));
  receiver = await startReceiver();
  port = await freePort();
});
afterAll(async () => {
  await receiver.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(): Promise<Spawned> {
  const server = spawnNode('dist/src/main.js', [], {
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_TIMEOUT_MS: '1500',
    WEBHOOK_RETRY_BASE_MS: '50',
  });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, server);
  return server;
}

/** The factories' view of a server: they only send GraphQL. */
const client = {
  async graphql(query: string, variables?: Record<string, unknown>, token?: string) {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  },
} as unknown as TestServer;

async function deliveryRows() {
  const pg = new Client({ connectionString: database.url });
  await pg.connect();
  try {
    return (await pg.query(`SELECT status, attempts FROM webhook_deliveries`)).rows;
  } finally {
    await pg.end();
  }
}

it('delivers a message whose sender was killed mid-delivery, with the same webhook-id', async () => {
  const first = await startServer();
  const owner = await signUp(client);
  const key = await registerSigningKey(client, owner.token);
  const app = await createApp(client, owner.token);
  await registerWebhook(client, owner.token, receiver, ['version.submitted']);
  const version = await createVersion(client, owner.token, versionInput(app, key, 1));

  receiver.hangNext = 1;
  await mutate(client, owner.token, `submitVersionForReview(id: $id) { id }`, { id: version.id });
  await receiver.waitForRequests(1);
  first.child.kill('SIGKILL');
  await first.exited;
  expect(await deliveryRows()).toEqual([{ status: 'pending', attempts: 1 }]);

  const second = await startServer();
  try {
    await receiver.waitForRequests(2, 30_000);
    const deadline = Date.now() + 10_000;
    while ((await deliveryRows())[0].status !== 'delivered') {
      if (Date.now() > deadline) throw new Error('the delivery was not recorded as delivered');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
  expect(await deliveryRows()).toEqual([{ status: 'delivered', attempts: 2 }]);
  expect(receiver.messages).toHaveLength(2);
  expect(receiver.messages[1].webhookId).toBe(receiver.messages[0].webhookId);
  expect(receiver.messages[1].body).toEqual(receiver.messages[0].body);
});
