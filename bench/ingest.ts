// `npm run bench:ingest`: events/s through POST /v1/telemetry beside raw COPY into the same table,
// in the same run, on the same PostgreSQL. Settings: BENCH_EVENTS (default 200000), BENCH_CLIENTS
// (4), BENCH_BATCH (1000), BENCH_ROUNDS (3); DATABASE_URL to use a server you run (a scratch
// database is created on it and dropped afterwards), otherwise a throwaway embedded PostgreSQL.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { monthOf, PartitionManager } from '../src/telemetry/partitions';
import { type BenchServer, fmt, graphql, median, scratchDatabase, startServer } from './support';

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

interface Event {
  deviceId: string;
  eventType: string;
  eventData: { screen: string; durationMs: number };
  mosisVersion: string;
  appVersion: string;
  timestamp: string;
  eventId: string;
}

/** Events shaped like a real app's, over the last three days; fresh ids and times on every call. */
function generateEvents(count: number, start: number): Event[] {
  const prefix = randomBytes(8).toString('hex');
  return Array.from({ length: count }, (_, i) => eventOf(Math.floor(Math.random() * DEVICES), i, prefix, start));
}

/** A device runs one app version: most the newest, every fifth one of the two before. */
const APP_VERSIONS = ['3.2.0', '3.2.0', '3.2.0', '3.2.0', '3.1.0', '3.2.0', '3.2.0', '3.2.0', '3.2.0', '3.0.1'];

function eventOf(device: number, i: number, prefix: string, start: number): Event {
  return {
    deviceId: `device-${device}`,
    eventType: EVENT_TYPES[i % EVENT_TYPES.length],
    eventData: { screen: SCREENS[Math.floor(Math.random() * SCREENS.length)], durationMs: Math.floor(Math.random() * 60_000) },
    mosisVersion: '1.4.0',
    appVersion: APP_VERSIONS[device % APP_VERSIONS.length],
    timestamp: new Date(start + Math.floor(Math.random() * SPREAD_MS)).toISOString(),
    eventId: `${prefix}-${i}`,
  };
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
      (e) => `${appId}\t${randomBytes(32).toString('hex')}\t${e.eventType}\t${JSON.stringify(e.eventData)}\t${e.mosisVersion}\t${e.appVersion}\t${e.eventId}\t${e.timestamp}\n`,
    );
    chunks.push(Buffer.from(rows.join('')));
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  let copied = 0;
  try {
    return await measure('COPY', events, () => copied, async () => {
      const stream = client.query(
        copyFrom(`COPY telemetry_events (app_id, device_id, event_type, event_data, mosis_version, app_version, event_id, "timestamp") FROM STDIN`),
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

/** The rollups' unique devices must equal distinct devices counted from the raw events. */
async function checkUniqueDevices(db: DataSource): Promise<void> {
  const [counts] = await db.query(
    `SELECT (SELECT sum(unique_devices) FROM telemetry_daily)::int AS daily,
            (SELECT count(*) FROM (SELECT DISTINCT app_id, ("timestamp" AT TIME ZONE 'UTC')::date, event_type, device_id
                                     FROM telemetry_events) k)::int AS daily_raw,
            (SELECT sum(active_devices) FROM version_health_daily)::int AS version,
            (SELECT count(*) FROM (SELECT DISTINCT app_id, ("timestamp" AT TIME ZONE 'UTC')::date, app_version, device_id
                                     FROM telemetry_events WHERE app_version IS NOT NULL) k)::int AS version_raw`,
  );
  if (counts.daily !== counts.daily_raw || counts.version !== counts.version_raw) {
    throw new Error(`unique devices in the rollups differ from the raw events: ${JSON.stringify(counts)}`);
  }
}

async function main(): Promise<void> {
  console.log(`ingest benchmark: ${fmt(EVENTS)} events a run, ${CLIENTS} HTTP clients, batches of ${fmt(BATCH)}, ${ROUNDS} rounds`);
  const database = await scratchDatabase();
  let server: BenchServer | undefined;
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
    // A new app for every run: the tables are truncated behind the server's back between runs, so
    // nothing it remembers about earlier runs (device keys already stored) may apply to the next.
    const newApp = async (): Promise<string> => {
      const [{ id }] = await db.query(
        `INSERT INTO apps (developer_id, package_id, name) VALUES ($1, $2, 'Bench') RETURNING id`,
        [signUp.developer.id, `com.bench.app${randomBytes(4).toString('hex')}`],
      );
      return id;
    };
    const start = Date.now() - SPREAD_MS;
    const months = [monthOf(new Date(start)), monthOf(new Date())];
    await new PartitionManager(db, { retentionDays: 90, partitionsAhead: 3 }).ensureMonths(months);
    const truncate = async () => {
      await db.query(`TRUNCATE telemetry_events, telemetry_daily, telemetry_daily_devices, version_daily_devices, version_health_daily`);
      await db.query('CHECKPOINT');
    };

    // A short untimed run of each first: the server's JIT and connection pool warm up.
    console.log('warming up');
    const warmUpApp = await newApp();
    await copyPhase(database.url, warmUpApp, start, WARM_UP_EVENTS);
    await httpPhase(server.url, createApiKey.secret, warmUpApp, start, WARM_UP_EVENTS);

    // Rounds alternate COPY and HTTP from the same empty tables, so a noisy machine affects both alike.
    const copyRates: number[] = [];
    const httpRates: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const appId = await newApp();
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
      await checkUniqueDevices(db);
      console.log(`round ${round}/${ROUNDS}: COPY ${fmt(copyRates.at(-1)!)} rows/s, HTTP ${fmt(httpRates.at(-1)!)} events/s`);
    }

    const copyRate = median(copyRates);
    const httpRate = median(httpRates);
    console.log('');
    console.log(`raw COPY, 1 stream (median of ${ROUNDS}):             ${fmt(copyRate)} rows/s`);
    console.log(`POST /v1/telemetry, ${CLIENTS} clients (median of ${ROUNDS}):  ${fmt(httpRate)} events/s`);
    console.log(`ratio HTTP / COPY:                           ${(httpRate / copyRate).toFixed(2)} (target >= 0.60)`);
    console.log(`(${fmt(EVENTS)} events a run over ${fmt(DEVICES)} devices; HTTP includes validation, device-id hashing,`);
    console.log(' deduplication, the exact daily rollups and version health; COPY writes raw rows only.)');
  } finally {
    await server?.stop();
    if (db.isInitialized) await db.destroy();
    await database.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
