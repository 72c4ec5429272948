// `npm run bench:pooler`: what PgBouncer in transaction mode costs per request. The same GraphQL
// query (`me`, one authenticated lookup) against two servers in this process, one connected
// straight to PostgreSQL and one through PgBouncer, in alternating rounds so both see the same
// machine noise; plus bare `SELECT 1` round trips. Settings: BENCH_REQUESTS per server per round
// (default 2000), BENCH_CONCURRENCY (8), BENCH_ROUNDS (4). Throwaway Debian PostgreSQL 15 and
// PgBouncer from scripts/pg-cluster.sh and scripts/pgbouncer.sh.
import 'reflect-metadata';
import { Client } from 'pg';
import { type Config, loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { buildApiSchema, SQL_RENDERINGS } from '../src/graphql/schema';
import { createHttpServer } from '../src/http/server';
import { createServices } from '../src/services';
import { migratedDatabase, startCluster, startPgBouncer, withDatabase } from './ops-support';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SELECTS = 5000;

interface Target {
  name: string;
  url: string;
  latencies: number[];
  elapsedMs: number;
  close(): Promise<void>;
}

async function startServer(name: string, databaseUrl: string, pooler: Config['db']['pooler']): Promise<Target> {
  const base = loadConfig();
  // One client sends thousands of requests a minute here: rate limits off, as for every benchmark.
  const config: Config = {
    ...base, logLevel: 'silent', host: '127.0.0.1', port: 0, db: { ...base.db, pooler }, rateLimits: { ...base.rateLimits, enabled: false },
  };
  const db = createDataSource({ url: databaseUrl, pool: config.db });
  await db.initialize();
  const app = await createHttpServer({ config, db, schema: await buildApiSchema(), renderings: SQL_RENDERINGS, services: createServices(db, config) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    latencies: [],
    elapsedMs: 0,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

const graphql = async (url: string, query: string, token?: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

/** `count` requests from CONCURRENCY clients; records each latency when `record` is set. */
async function load(target: Target, token: string, count: number, record: boolean): Promise<void> {
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next++ < count) {
      const t = performance.now();
      await graphql(target.url, '{ me { id email } }', token);
      if (record) target.latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  if (record) target.elapsedMs += performance.now() - started;
}

async function selectRoundTrips(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    for (let i = 0; i < SELECTS; i++) await client.query('SELECT 1');
    return (performance.now() - started) / SELECTS;
  } finally {
    await client.end();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  const cluster = await startCluster();
  const bouncer = await startPgBouncer(cluster.url);
  const targets: Target[] = [];
  try {
    const directUrl = await migratedDatabase(cluster.url, 'bench_pooler');
    const pooledUrl = withDatabase(bouncer.url, 'bench_pooler');
    targets.push(await startServer('direct', directUrl, 'none'), await startServer('PgBouncer', pooledUrl, 'pgbouncer'));
    const [direct, pooled] = targets;
    const { signUp } = await graphql(
      direct.url,
      `mutation { signUp(input: {email: "bench@example.com", name: "Bench", password: "bench password"}) { token } }`,
    );

    for (const target of targets) await load(target, signUp.token, 200, false); // warm up pools and JIT
    const selects: Record<string, number[]> = { direct: [], PgBouncer: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [direct, pooled] : [pooled, direct];
      for (const target of order) await load(target, signUp.token, REQUESTS, true);
      selects.direct.push(await selectRoundTrips(directUrl));
      selects.PgBouncer.push(await selectRoundTrips(pooledUrl));
    }

    console.log(`\n{ me { id email } }: ${ROUNDS} alternating rounds x ${REQUESTS} requests, ${CONCURRENCY} concurrent clients`);
    console.log('target       mean ms   p50 ms   p95 ms   req/s');
    const stats = targets.map((t) => {
      const sorted = [...t.latencies].sort((a, b) => a - b);
      const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      const rps = (t.latencies.length / t.elapsedMs) * 1000;
      console.log(`${t.name.padEnd(10)} ${mean.toFixed(2).padStart(9)} ${percentile(sorted, 0.5).toFixed(2).padStart(8)} ${percentile(sorted, 0.95).toFixed(2).padStart(8)} ${rps.toFixed(0).padStart(7)}`);
      return { mean, rps };
    });
    console.log(`ratio PgBouncer/direct: mean latency ${(stats[1].mean / stats[0].mean).toFixed(2)}x, throughput ${(stats[1].rps / stats[0].rps).toFixed(2)}x`);
    const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    console.log(`SELECT 1 round trip (${SELECTS} sequential, one connection): direct ${(avg(selects.direct) * 1000).toFixed(0)} µs, ` +
      `PgBouncer ${(avg(selects.PgBouncer) * 1000).toFixed(0)} µs, ratio ${(avg(selects.PgBouncer) / avg(selects.direct)).toFixed(2)}x`);
  } finally {
    for (const target of targets) await target.close();
    await bouncer.stop();
    await cluster.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
