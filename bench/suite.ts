// `npm run bench`: the Mosis server beside PostGraphile 5.1 (bench/peer/) on the same database, in
// the same run: req/s, p50, p99 and server CPU per request at each connection count, SQL
// statements per request, peak RSS. Seed first (`npx mosis seed --scale seed`), then
// `DATABASE_URL=… npm run bench [-- --duration 15 --connections 16,64 --queries Q1,Q3]`; with
// `--baseline <checkout>` another built checkout (say main before a change) is timed in the same run.
// Nothing is timed until both servers have returned, for sampled parameters of every query, the
// same rows as one hand-written SQL statement. docs/PERFORMANCE.md has the method and a run's table.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import autocannon from 'autocannon';
import { Command, InvalidArgumentError } from 'commander';
import { Client } from 'pg';
import { API_KEY_PREFIX, hashSecret } from '../src/auth/tokens';
import { SCOPES } from '../src/auth/scopes';
import { PROJECT_ROOT } from '../src/paths';
import { BENCH_QUERIES, type BenchParams, type BenchQuery, readParams } from './suite-queries';
import { fmt, freePort, median, startServer } from './support';

const PEER_DIR = path.join(PROJECT_ROOT, 'bench', 'peer');
const PEER_NODE = path.join(PEER_DIR, 'node_modules', 'node', 'bin', 'node');
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface Options {
  duration: number;
  warmup: number;
  connections: number[];
  queries: string[];
  passes: number;
  sample: number;
  searchWord: string;
  searchTag: string;
  json?: string;
  baseline?: string;
}

const MOSIS = 'Mosis';
const BASELINE = 'Mosis baseline';
const PEER = 'PostGraphile';

interface Server {
  name: typeof MOSIS | typeof BASELINE | typeof PEER;
  url: string;
  pid: number;
  headers: Record<string, string>;
  form: (q: BenchQuery) => BenchQuery['mosis'];
  stop(): Promise<void>;
}

interface Run {
  query: string;
  connections: number;
  pass: number;
  server: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  failed: number;
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};
const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

function parseOptions(): Options {
  const names = BENCH_QUERIES.map((q) => q.name);
  const program = new Command('npm run bench --')
    .description('Mosis and PostGraphile 5.1 on the database of DATABASE_URL (seed it first: npx mosis seed --scale seed)')
    .option('--duration <seconds>', 'measured seconds per query, server and connection count', positive, 15)
    .option('--warmup <seconds>', 'unmeasured seconds before each measurement', positive, 3)
    .option('--connections <list>', 'concurrent connections, comma-separated', (v) => list(v).map(positive), [16, 64])
    .option('--queries <list>', `which of ${names.join(', ')}`, (v) => {
      const unknown = list(v).filter((q) => !names.includes(q));
      if (unknown.length) throw new InvalidArgumentError(`unknown ${unknown.join(', ')}; choose from ${names.join(', ')}`);
      return list(v);
    }, names)
    .option('--passes <n>', 'repeat every measurement, alternating which server goes first', positive, 1)
    .option('--sample <n>', 'parameters checked against SQL per query before timing', positive, 20)
    .option('--search-word <word>', 'the word of searchWord', 'photo')
    .option('--search-tag <tag>', 'the tag of searchTag', 'offline')
    .option('--json <file>', 'also write every run as JSON')
    .option('--baseline <checkout>', 'also time the built Mosis server of another checkout (its dist/), beside this one', (dir) => {
      const entry = path.resolve(dir, 'dist', 'src', 'main.js');
      if (!fs.existsSync(entry)) throw new InvalidArgumentError(`${entry} does not exist: run npm run build in that checkout first`);
      return entry;
    });
  program.parse();
  return program.opts<Options>();
}

/** The peer's own node_modules (Node 22, PostGraphile), installed on first use from its lockfile. */
function ensurePeerInstalled(): void {
  if (fs.existsSync(path.join(PEER_DIR, 'node_modules', 'postgraphile', 'package.json')) && fs.existsSync(PEER_NODE)) return;
  console.log('installing the PostGraphile peer into bench/peer/node_modules (npm ci, once)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEER_DIR, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm ci in bench/peer failed');
}

/** The bench's own admin with an all-scope API key: it sees drafts and every app's telemetry, as PostGraphile does. */
async function benchCredential(db: Client): Promise<string> {
  const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO developers (email, name, role, verified) VALUES ('bench-admin@mosis.example', 'npm run bench', 'admin', true)
     ON CONFLICT ((lower(email))) DO UPDATE SET role = 'admin'`,
  );
  await db.query(
    `INSERT INTO api_keys (developer_id, name, key_hash, key_prefix, permissions)
     SELECT id, 'npm run bench', $1, $2, $3 FROM developers WHERE lower(email) = 'bench-admin@mosis.example'`,
    [hashSecret(secret), secret.slice(0, 10), JSON.stringify(SCOPES)],
  );
  return secret;
}

/** This checkout's server, or with `entry` another checkout's built main.js as the baseline. */
async function startMosis(databaseUrl: string, token: string, entry?: string): Promise<Server> {
  const server = await startServer(databaseUrl, {
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    // Seeded telemetry may be older than the default 90 days: the server's partition maintenance would drop it.
    TELEMETRY_RETENTION_DAYS: '36500',
  }, entry);
  return {
    name: entry ? BASELINE : MOSIS, url: `${server.url}/graphql`, pid: server.child.pid!, headers: { authorization: `Bearer ${token}` },
    form: (q) => q.mosis, stop: server.stop,
  };
}

async function startPeer(databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = spawn(PEER_NODE, ['server.mjs'], {
    cwd: PEER_DIR,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), NODE_ENV: 'production', GRAPHILE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}/graphql`;
  for (const deadline = Date.now() + 120_000; ; ) {
    if (child.exitCode !== null) throw new Error(`PostGraphile exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`PostGraphile not ready:\n${output}`);
    const ready = await post(url, {}, { query: '{ __typename }' }).then(() => true, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  return { name: PEER, url, pid: child.pid!, headers: {}, form: (q) => q.peer, stop };
}

async function post(url: string, headers: Record<string, string>, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const result = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (!response.ok || result.errors || !result.data) throw new Error(`HTTP ${response.status}: ${JSON.stringify(result.errors ?? result)}`);
  return result.data;
}

const indexes = (variants: number, sample: number) =>
  [...new Set(Array.from({ length: Math.min(variants, sample) }, (_, k) => Math.floor((k * variants) / Math.min(variants, sample))))];

/** Both servers must answer exactly what one SQL statement answers; otherwise no figure means anything. */
async function checkAnswers(db: Client, servers: Server[], queries: BenchQuery[], params: BenchParams, sample: number): Promise<void> {
  for (const q of queries) {
    let nonEmpty = 0;
    for (const i of indexes(q.variants(params), sample)) {
      const expected = q.oracle.canonical((await db.query(q.oracle.sql, q.oracle.params(params, i))).rows);
      if (Array.isArray(expected) ? expected.length : expected) nonEmpty++;
      for (const server of servers) {
        const form = server.form(q);
        const actual = form.canonical(await post(server.url, server.headers, { query: form.query, variables: form.variables(params, i) }));
        if (!isDeepStrictEqual(JSON.parse(JSON.stringify(actual)), JSON.parse(JSON.stringify(expected)))) {
          throw new Error(
            `${q.name}: ${server.name} answered differently from SQL for ${JSON.stringify(form.variables(params, i))}\n` +
              `  SQL:  ${JSON.stringify(expected).slice(0, 600)}\n  ${server.name}: ${JSON.stringify(actual).slice(0, 600)}`,
          );
        }
      }
    }
    if (!nonEmpty) throw new Error(`${q.name}: every sampled answer is empty; the check would prove nothing`);
    console.log(`  ${q.name}: ${servers.map((s) => s.name).join(', ')} equal SQL on ${indexes(q.variants(params), sample).length} parameters`);
  }
}

/** SQL statements reaching PostgreSQL per request (pg_stat_statements over 20 requests sent one by one), or null. */
async function statementsPerRequest(db: Client, server: Server, q: BenchQuery, params: BenchParams): Promise<number | null> {
  const requests = 20;
  const form = server.form(q);
  await db.query('SELECT pg_stat_statements_reset()');
  for (let i = 0; i < requests; i++) {
    await post(server.url, server.headers, { query: form.query, variables: form.variables(params, i % q.variants(params)) });
  }
  const { rows: [{ calls }] } = await db.query(
    `SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'`,
  );
  return calls / requests;
}

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

async function load(server: Server, q: BenchQuery, params: BenchParams, connections: number, seconds: number) {
  const form = server.form(q);
  const bodies = Array.from({ length: q.variants(params) }, (_, i) => JSON.stringify({ query: form.query, variables: form.variables(params, i) }));
  let graphqlErrors = 0;
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...server.headers },
    requests: [{
      setupRequest: (request) => ({ ...request, body: bodies[Math.floor(Math.random() * bodies.length)] }),
      onResponse: (_status, body) => {
        if (body.startsWith('{"errors"') || body.includes('"errors":[')) graphqlErrors++;
      },
    }],
  });
  return { result, failed: result.non2xx + result.errors + result.timeouts + graphqlErrors };
}

async function measure(server: Server, q: BenchQuery, params: BenchParams, connections: number, options: Options, pass: number): Promise<Run> {
  await load(server, q, params, connections, options.warmup);
  const before = cpuTicks(server.pid);
  const { result, failed } = await load(server, q, params, connections, options.duration);
  const cpuMs = ((cpuTicks(server.pid) - before) * 1000) / CLOCK_TICKS_PER_SECOND;
  return {
    query: q.name, connections, pass, server: server.name,
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50, p99: result.latency.p99,
    cpuMsPerRequest: cpuMs / Math.max(1, result.requests.total),
    failed,
  };
}

function report(runs: Run[], statements: Map<string, (number | null)[]>, rss: Record<string, number>, options: Options): string {
  const header = ['query', 'conns', 'pass', 'Mosis req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'PostGraphile req/s', 'p50 ms', 'p99 ms',
    'CPU ms/req', 'Mosis ÷ PG req/s', 'SQL/req Mosis / PG', 'failed M / PG',
    ...(options.baseline ? ['baseline req/s', 'CPU ms/req', 'Mosis ÷ baseline'] : [])];
  const lines = [header, header.map(() => '---')];
  const keys = [...new Set(runs.map((r) => `${r.query}|${r.connections}|${r.pass}`))];
  for (const key of keys) {
    const [query, connections, pass] = key.split('|');
    const find = (name: string) => runs.find((r) => `${r.query}|${r.connections}|${r.pass}` === key && r.server === name)!;
    const m = find(MOSIS);
    const p = find(PEER);
    const b = options.baseline ? find(BASELINE) : null;
    const [sm, sp] = statements.get(query) ?? [null, null];
    const sql = (n: number | null) => (n === null ? 'n/a' : n.toFixed(n % 1 ? 2 : 0));
    lines.push([
      query, connections, pass, fmt(Math.round(m.requestsPerSecond)), String(m.p50), String(m.p99), m.cpuMsPerRequest.toFixed(2),
      fmt(Math.round(p.requestsPerSecond)), String(p.p50), String(p.p99), p.cpuMsPerRequest.toFixed(2),
      `${(m.requestsPerSecond / p.requestsPerSecond).toFixed(2)}×`, `${sql(sm)} / ${sql(sp)}`, `${m.failed} / ${p.failed}`,
      ...(b ? [fmt(Math.round(b.requestsPerSecond)), b.cpuMsPerRequest.toFixed(2), `${(m.requestsPerSecond / b.requestsPerSecond).toFixed(2)}×`] : []),
    ]);
  }
  const table = lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const medians = options.passes > 1
    ? '\n\nMedian Mosis ÷ PostGraphile req/s over the passes: ' + [...new Set(runs.map((r) => `${r.query}@${r.connections}`))].map((k) => {
        const ratios = runs.filter((r) => r.server === MOSIS && `${r.query}@${r.connections}` === k).map((m) => {
          const p = runs.find((r) => r.server === PEER && r.query === m.query && r.connections === m.connections && r.pass === m.pass)!;
          return (m.requestsPerSecond / p.requestsPerSecond) * 1000;
        });
        return `${k} ${(median(ratios) / 1000).toFixed(2)}×`;
      }).join(', ')
    : '';
  const peaks = Object.entries(rss).map(([name, mib]) => `${name} ${mib} MiB`).join(', ');
  return `${table}${medians}\n\nPeak RSS (VmHWM): ${peaks}`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('set DATABASE_URL to the seeded database (npx mosis seed --scale seed fills one)');
  ensurePeerInstalled();
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const servers: Server[] = [];
  try {
    await db.query(fs.readFileSync(path.join(PEER_DIR, 'functions.sql'), 'utf8'));
    const token = await benchCredential(db);
    const params = await readParams(db, options.searchWord, options.searchTag);
    const [{ statements: canCount }] = (await db.query(
      `SELECT current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_stat_statements($|[ ,])' AS statements`,
    )).rows;
    if (canCount) await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const queries = BENCH_QUERIES.filter((q) => options.queries.includes(q.name));

    servers.push(await startMosis(databaseUrl, token), await startPeer(databaseUrl));
    if (options.baseline) servers.push(await startMosis(databaseUrl, token, options.baseline));
    console.log('checking both servers against SQL…');
    await checkAnswers(db, servers, queries, params, options.sample);

    const statements = new Map<string, (number | null)[]>();
    for (const q of queries) {
      statements.set(q.name, canCount
        ? [await statementsPerRequest(db, servers[0], q, params), await statementsPerRequest(db, servers[1], q, params)]
        : [null, null]);
    }

    const runs: Run[] = [];
    for (let pass = 1; pass <= options.passes; pass++) {
      for (const q of queries) {
        for (const connections of options.connections) {
          // Alternate who goes first, so drift in the machine's speed does not favour one server.
          const order = pass % 2 ? servers : [...servers].reverse();
          for (const server of order) {
            const run = await measure(server, q, params, connections, options, pass);
            runs.push(run);
            console.log(`  pass ${pass} ${q.name} @${connections} ${server.name}: ${fmt(Math.round(run.requestsPerSecond))} req/s, p99 ${run.p99} ms`);
          }
        }
      }
    }
    const rss = Object.fromEntries(servers.map((server) => [server.name, peakRssMiB(server.pid)]));
    const [{ version }] = (await db.query(`SELECT current_setting('server_version') AS version`)).rows;
    console.log(`\nMosis (Node ${process.version}) vs PostGraphile 5.1.5 (Node 22), PostgreSQL ${version}; ` +
      `${options.warmup} s warm-up + ${options.duration} s per run\n`);
    console.log(report(runs, statements, rss, options));
    if (options.json) fs.writeFileSync(options.json, JSON.stringify({ options, runs, statements: Object.fromEntries(statements), rss }, null, 2));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.end();
  }
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
