// `npm run bench:reads`: requests/s of the catalog's hot reads through GraphQL, beside the same data
// fetched by one hand-written SQL statement per request straight from a pg pool of the server's size,
// in the same run, alternating, so the ratio shows what the API layer costs on this machine.
// Settings: BENCH_SECONDS per phase (default 5), BENCH_CONCURRENCY (16), BENCH_ROUNDS (2);
// DATABASE_URL to use a server you run, otherwise a throwaway embedded PostgreSQL.
import 'reflect-metadata';
import { Pool } from 'pg';
import { loadConfig } from '../src/config';
import { type BenchServer, fmt, graphql, median, scratchDatabase, startServer } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DEVELOPERS = 100;
const APPS_PER_DEVELOPER = 100;

interface Case {
  name: string;
  /** The GraphQL request, given a random number to vary its arguments. */
  api: (n: number) => { query: string; variables: object };
  /** The same rows in one statement. */
  sql: (n: number) => { text: string; values: unknown[] };
}

const LATEST = `LEFT JOIN LATERAL (SELECT version_code, version_name FROM app_versions v
  WHERE v.app_id = a.id AND v.status = 'published' ORDER BY version_code DESC LIMIT 1) latest ON true`;

const CASES: Case[] = [
  {
    name: 'app by packageId, with developer and latest version',
    api: (n) => ({
      query: `query ($p: String) { app(packageId: $p) { id name developer { name } latestVersion { versionCode versionName } } }`,
      variables: { p: `com.bench.d${n % DEVELOPERS}.a${n % APPS_PER_DEVELOPER}` },
    }),
    sql: (n) => ({
      text: `SELECT a.id, a.name, d.name AS developer, latest.* FROM apps a JOIN developers d ON d.id = a.developer_id ${LATEST}
              WHERE a.package_id = $1 AND a.status = 'published'`,
      values: [`com.bench.d${n % DEVELOPERS}.a${n % APPS_PER_DEVELOPER}`],
    }),
  },
  {
    name: 'apps(first: 50) with developer and latest version',
    api: () => ({
      query: `{ apps(first: 50) { edges { cursor node { id name developer { name } latestVersion { versionCode versionName } } } pageInfo { hasNextPage } } }`,
      variables: {},
    }),
    sql: () => ({
      text: `SELECT a.id, a.name, d.name AS developer, latest.* FROM apps a JOIN developers d ON d.id = a.developer_id ${LATEST}
              WHERE a.status = 'published' ORDER BY a.created_at DESC, a.id DESC LIMIT 51`,
      values: [],
    }),
  },
  {
    name: "a developer's apps (first: 20) with latest version",
    api: (n) => ({
      query: `query ($d: ID) { apps(developerId: $d, first: 20) { edges { node { id name latestVersion { versionName } } } } }`,
      variables: { d: developerIds[n % developerIds.length] },
    }),
    sql: (n) => ({
      text: `SELECT a.id, a.name, latest.* FROM apps a ${LATEST}
              WHERE a.developer_id = $1 AND a.status = 'published' ORDER BY a.created_at DESC, a.id DESC LIMIT 21`,
      values: [developerIds[n % developerIds.length]],
    }),
  },
  {
    name: 'searchApps(query, first: 20) with developer',
    api: (n) => ({
      query: `query ($q: String) { searchApps(query: $q, first: 20) { edges { node { id name developer { name } } } } }`,
      variables: { q: `word${n % 200}` },
    }),
    sql: (n) => ({
      text: `SELECT a.id, a.name, d.name AS developer FROM apps a JOIN developers d ON d.id = a.developer_id
              WHERE a.status = 'published' AND a.search_vector @@ to_tsquery('english', $1)
              ORDER BY ts_rank(a.search_vector, to_tsquery('english', $1)) DESC, lower(a.name), a.id LIMIT 21`,
      values: [`word${n % 200}:*`],
    }),
  },
];

let developerIds: string[] = [];

/** Requests/s from CONCURRENCY workers for SECONDS, and the median latency. */
async function drive(request: (n: number) => Promise<void>): Promise<{ rate: number; p50: number }> {
  const deadline = performance.now() + SECONDS * 1000;
  const latencies: number[] = [];
  let n = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      await request(n++);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  latencies.sort((a, b) => a - b);
  return { rate: Math.round(latencies.length / SECONDS), p50: latencies[latencies.length >> 1] };
}

async function seed(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO developers (email, name, password_hash) SELECT 'bench' || g || '@example.com', 'Developer ' || g, 'x'
       FROM generate_series(0, ${DEVELOPERS - 1}) g`,
  );
  await pool.query(`INSERT INTO signing_keys (developer_id, name, public_key, fingerprint)
    SELECT id, 'k', 'pem', md5(id::text) || md5(id::text) FROM developers`);
  await pool.query(
    `INSERT INTO apps (developer_id, package_id, name, description, tags, status)
     SELECT d.id, 'com.bench.d' || substr(d.email, 6, strpos(d.email, '@') - 6) || '.a' || g,
            'App word' || (g * 7 % 200) || ' ' || g, 'Does word' || (g % 200) || ' things', ARRAY['tag' || (g % 20)]::varchar[], 'published'
       FROM developers d, generate_series(0, ${APPS_PER_DEVELOPER - 1}) g`,
  );
  await pool.query(
    `INSERT INTO app_versions (app_id, version_code, version_name, package_url, package_size, package_sha256, signature, signing_key_id, status, published_at)
     SELECT a.id, c, '1.' || c, 'https://cdn.example.com/p', 1000, repeat('a', 64), 'sig', k.id, 'published', now()
       FROM apps a JOIN signing_keys k ON k.developer_id = a.developer_id, generate_series(1, 3) c`,
  );
  await pool.query('ANALYZE');
  developerIds = (await pool.query(`SELECT id FROM developers`)).rows.map((r) => r.id);
}

async function main(): Promise<void> {
  console.log(`read benchmark: ${fmt(DEVELOPERS * APPS_PER_DEVELOPER)} published apps, ${CONCURRENCY} clients, ${SECONDS} s a phase, ${ROUNDS} rounds`);
  const database = await scratchDatabase();
  let server: BenchServer | undefined;
  const pool = new Pool({ connectionString: database.url, max: loadConfig().db.poolMax });
  try {
    server = await startServer(database.url);
    await seed(pool);
    const url = server.url;
    const rows: string[] = [];
    for (const c of CASES) {
      const apiRates: number[] = [];
      const sqlRates: number[] = [];
      const apiLatency: number[] = [];
      const callApi = async (n: number) => {
        const { query, variables } = c.api(n);
        await graphql(url, query, variables);
      };
      const callSql = async (n: number) => {
        const { text, values } = c.sql(n);
        await pool.query(text, values);
      };
      await drive(callApi); // warm-up: JIT, pool, caches
      for (let round = 1; round <= ROUNDS; round++) {
        const api = await drive(callApi);
        const sql = await drive(callSql);
        apiRates.push(api.rate);
        apiLatency.push(api.p50);
        sqlRates.push(sql.rate);
        console.log(`  ${c.name}, round ${round}: API ${fmt(api.rate)}/s, SQL ${fmt(sql.rate)}/s`);
      }
      const [api, sql] = [median(apiRates), median(sqlRates)];
      rows.push(`${c.name.padEnd(54)} ${fmt(api).padStart(7)}/s ${fmt(sql).padStart(7)}/s ${(api / sql).toFixed(2).padStart(6)}  p50 ${median(apiLatency).toFixed(1)} ms`);
    }
    console.log('');
    console.log(`${'read'.padEnd(54)} ${'API'.padStart(9)} ${'raw SQL'.padStart(9)} ${'ratio'.padStart(6)}`);
    for (const row of rows) console.log(row);
    console.log('(API: POST /graphql to `npm start` in production mode; raw SQL: one statement a request on a pool of the same size.)');
  } finally {
    await server?.stop();
    await pool.end();
    await database.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
