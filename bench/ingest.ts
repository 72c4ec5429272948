// `npm run bench:ingest`: events/s through POST /v1/telemetry beside raw COPY into the same table,
// in the same run, on the same PostgreSQL. Settings: BENCH_EVENTS (default 200000), BENCH_CLIENTS
// (4), BENCH_BATCH (1000), BENCH_ROUNDS (3); DATABASE_URL to use a server you run (a scratch
// database is created on it and dropped afterwards), otherwise a throwaway embedded PostgreSQL.
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { PROJECT_ROOT } from '../src/paths';
import { monthOf, PartitionManager } from '../src/telemetry/partitions';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP_EVENTS = 20 * BATCH;
const DEVICES = 20_000;
const EVENT_TYPES = ['app_open', 'screen_view', 'button_tap', 'purchase', 'session_end'];
const SCREENS = ['home', 'editor', 'settings', 'search', 'profile'];
const SPREAD_MS = 3 * 86_400_000;

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en-US');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A database for this run only, and how to get rid of it. */
async function scratchDatabase(): Promise<{ url: string; dispose(): Promise<void> }> {
  const name = `mosis_bench_${randomBytes(4).toString('hex')}`;
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded = async () => {};
  let dataDir: string | undefined;
  if (!adminUrl) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-bench-'));
    fs.chmodSync(dataDir, 0o755); // the postgres OS user must reach its data directory inside
    console.log('starting a throwaway embedded PostgreSQL…');
    const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    adminUrl = embedded.adminUrl;
    stopEmbedded = embedded.stop;
  }
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async dispose() {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await stopEmbedded();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `npm start`'s entry point in a child process, as production runs it. */
async function startServer(databaseUrl: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist/src/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DEVICE_ID_HASH_KEY: randomBytes(32).toString('hex'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server not ready:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { url, child, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function graphql(url: string, query: string, variables: object, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: any; errors?: unknown };
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

interface Event {
  deviceId: string;
  eventType: string;
  eventData: { screen: string; durationMs: number };
  mosisVersion: string;
  timestamp: string;
  eventId: string;
}

/** Events shaped like a real app's, over the last three days; fresh ids and times on every call. */
function generateEvents(count: number, start: number): Event[] {
  const prefix = randomBytes(8).toString('hex');
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `device-${Math.floor(Math.random() * DEVICES)}`,
    eventType: EVENT_TYPES[i % EVENT_TYPES.length],
    eventData: { screen: SCREENS[Math.floor(Math.random() * SCREENS.length)], durationMs: Math.floor(Math.random() * 60_000) },
    mosisVersion: '1.4.0',
    timestamp: new Date(start + Math.floor(Math.random() * SPREAD_MS)).toISOString(),
    eventId: `${prefix}-${i}`,
  }));
}

/** Prints progress once a second while `work` runs. */
async function measure(label: string, total: number, done: () => number, work: () => Promise<void>): Promise<number> {
  const started = Date.now();
  const ticker = setInterval(() => {
    const elapsed = Date.now() - started;
    console.log(`  ${label}: ${fmt(done())} / ${fmt(total)}  ${fmt(rate(done(), elapsed))}/s`);
  }, 1000);
  try {
    await work();
  } finally {
    clearInterval(ticker);
  }
  return Date.now() - started;
}

/** One COPY stream of `events` rows shaped like the API's (device ids already hashed); returns milliseconds. */
async function copyPhase(url: string, appId: string, start: number, events = EVENTS): Promise<number> {
  // Built batch by batch into buffers, so no event objects stay on the heap to slow the clock's GC.
  const chunks: Buffer[] = [];
  for (let i = 0; i < events; i += BATCH) {
    const rows = generateEvents(Math.min(BATCH, events - i), start).map(
      (e) => `${appId}\t${randomBytes(32).toString('hex')}\t${e.eventType}\t${JSON.stringify(e.eventData)}\t${e.mosisVersion}\t${e.eventId}\t${e.timestamp}\n`,
    );
    chunks.push(Buffer.from(rows.join('')));
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  let copied = 0;
  try {
    return await measure('COPY', events, () => copied, async () => {
      const stream = client.query(
        copyFrom(`COPY telemetry_events (app_id, device_id, event_type, event_data, mosis_version, event_id, "timestamp") FROM STDIN`),
      );
      const source = Readable.from(
        (function* () {
          for (const chunk of chunks) {
            copied += BATCH;
            yield chunk;
          }
        })(),
      );
      await pipeline(source, stream);
    });
  } finally {
    await client.end();
  }
}

/** `events` events as JSON batches from CLIENTS keep-alive connections, bodies encoded before the clock starts. */
async function httpPhase(serverUrl: string, apiKey: string, appId: string, start: number, events = EVENTS): Promise<number> {
  const bodies: Buffer[] = [];
  for (let i = 0; i < events; i += BATCH) {
    bodies.push(Buffer.from(JSON.stringify(generateEvents(Math.min(BATCH, events - i), start).map((e) => ({ appId, ...e })))));
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const { hostname, port } = new URL(serverUrl);
  const send = (body: Buffer) =>
    new Promise<{ accepted: number }>((resolve, reject) => {
      const request = http.request(
        {
          agent, hostname, port, method: 'POST', path: '/v1/telemetry',
          headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${apiKey}` },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => (response.statusCode === 202 ? resolve(JSON.parse(text)) : reject(new Error(`HTTP ${response.statusCode}: ${text}`))));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  let posted = 0;
  let next = 0;
  try {
    return await measure('HTTP', events, () => posted, async () => {
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < bodies.length) {
            const { accepted } = await send(bodies[next++]);
            posted += accepted; // not `posted += await …`, which would add to a stale value
          }
        }),
      );
    });
  } finally {
    agent.destroy();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

async function main(): Promise<void> {
  console.log(`ingest benchmark: ${fmt(EVENTS)} events a run, ${CLIENTS} HTTP clients, batches of ${fmt(BATCH)}, ${ROUNDS} rounds`);
  const database = await scratchDatabase();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const db = createDataSource({ url: database.url, pool: loadConfig().db });
  try {
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
    server = await startServer(database.url);

    const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
    const { signUp } = await graphql(server.url, `mutation ($i: SignUpInput!) { signUp(input: $i) { token developer { id } } }`, {
      i: { email, name: 'Bench', password: 'benchmark password' },
    });
    const { createApiKey } = await graphql(
      server.url,
      `mutation { createApiKey(input: {name: "bench", permissions: ["telemetry:write"]}) { secret } }`,
      {},
      signUp.token,
    );
    const [{ id: appId }] = await db.query(
      `INSERT INTO apps (developer_id, package_id, name) VALUES ($1, $2, 'Bench') RETURNING id`,
      [signUp.developer.id, `com.bench.app${randomBytes(4).toString('hex')}`],
    );
    const start = Date.now() - SPREAD_MS;
    const months = [monthOf(new Date(start)), monthOf(new Date())];
    await new PartitionManager(db, { retentionDays: 90, partitionsAhead: 3 }).ensureMonths(months);
    const truncate = async () => {
      await db.query(`TRUNCATE telemetry_events, telemetry_daily, telemetry_daily_devices`);
      await db.query('CHECKPOINT');
    };

    // A short untimed run of each first: the server's JIT and connection pool warm up.
    console.log('warming up');
    await copyPhase(database.url, appId, start, WARM_UP_EVENTS);
    await httpPhase(server.url, createApiKey.secret, appId, start, WARM_UP_EVENTS);

    // Rounds alternate COPY and HTTP from the same empty tables, so a noisy machine affects both alike.
    const copyRates: number[] = [];
    const httpRates: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await truncate();
      console.log(`round ${round}/${ROUNDS}: raw COPY into telemetry_events (one stream)`);
      copyRates.push(rate(EVENTS, await copyPhase(database.url, appId, start)));
      await truncate();
      console.log(`round ${round}/${ROUNDS}: POST /v1/telemetry (${CLIENTS} clients, ${fmt(BATCH)} events a batch)`);
      httpRates.push(rate(EVENTS, await httpPhase(server.url, createApiKey.secret, appId, start)));
      const [check] = await db.query(
        `SELECT (SELECT count(*) FROM telemetry_events)::int AS events, (SELECT sum(count) FROM telemetry_daily)::int AS rolled_up`,
      );
      if (check.events !== EVENTS || check.rolled_up !== EVENTS) throw new Error(`stored ${JSON.stringify(check)}, expected ${EVENTS}`);
      console.log(`round ${round}/${ROUNDS}: COPY ${fmt(copyRates.at(-1)!)} rows/s, HTTP ${fmt(httpRates.at(-1)!)} events/s`);
    }

    const copyRate = median(copyRates);
    const httpRate = median(httpRates);
    console.log('');
    console.log(`raw COPY, 1 stream (median of ${ROUNDS}):             ${fmt(copyRate)} rows/s`);
    console.log(`POST /v1/telemetry, ${CLIENTS} clients (median of ${ROUNDS}):  ${fmt(httpRate)} events/s`);
    console.log(`ratio HTTP / COPY:                           ${(httpRate / copyRate).toFixed(2)} (target >= 0.60)`);
    console.log(`(${fmt(EVENTS)} events a run over ${fmt(DEVICES)} devices; HTTP includes validation, device-id hashing,`);
    console.log(' deduplication and the exact daily rollups; COPY writes raw rows only.)');
  } finally {
    server?.child.kill('SIGTERM');
    if (server) await new Promise((resolve) => server!.child.once('exit', resolve));
    if (db.isInitialized) await db.destroy();
    await database.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
