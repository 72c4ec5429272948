// `npm run bench:checks`: what the per-request query checks cost on the hot reads. Apollo validates
// a document once and caches it, so the depth/alias/directive/root-field rules run once per
// distinct query; the cost estimate and the input rules depend on the variables and run on every
// request. This times both, in-process (no database), so the figure is the checks alone.
// Settings: BENCH_ITERATIONS (default 20000).
import 'reflect-metadata';
import { parse, specifiedRules, validate } from 'graphql';
import { loadConfig } from '../src/config';
import { assertOperationInput } from '../src/graphql/input-rules';
import { CostMemory, operationCost, queryLimitRules } from '../src/graphql/query-limits';
import { buildApiSchema } from '../src/graphql/schema';
import { fmt } from './support';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);

const READS: { name: string; query: string; variables: Record<string, unknown> }[] = [
  {
    name: 'app by packageId, with developer and latest version',
    query: `query ($p: String) { app(packageId: $p) { id name developer { name } latestVersion { versionCode versionName } } }`,
    variables: { p: 'com.bench.d1.a1' },
  },
  {
    name: 'apps(first: 50) with developer and latest version',
    query: `{ apps(first: 50) { edges { cursor node { id name developer { name } latestVersion { versionCode versionName } } } pageInfo { hasNextPage } } }`,
    variables: {},
  },
  {
    name: 'searchApps(query, tags, first: 20) with developer',
    query: `query ($q: String, $t: [String!], $n: Int) { searchApps(query: $q, tags: $t, first: $n) { edges { node { id name developer { name } } } } }`,
    variables: { q: 'notes offline', t: ['productivity'], n: 20 },
  },
];

function microseconds(work: () => void, iterations: number): number {
  for (let i = 0; i < 1000; i++) work(); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) work();
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

async function main(): Promise<void> {
  const schema = await buildApiSchema();
  const { limits } = loadConfig();
  const rules = [...specifiedRules, ...queryLimitRules(limits)];
  console.log(`query checks: ${fmt(ITERATIONS)} iterations a read`);
  const columns = ['validate (once)', 'cost estimate', 'per request'];
  console.log(`${'read'.padEnd(54)} ${columns.map((c) => c.padStart(16)).join(' ')}`);
  const memory = new CostMemory();
  for (const read of READS) {
    const document = parse(read.query);
    const operation = document.definitions[0] as Parameters<typeof assertOperationInput>[2];
    const figures = [
      microseconds(() => validate(schema, document, rules), Math.max(1, ITERATIONS / 10)),
      microseconds(() => operationCost(schema, document, undefined, read.variables), Math.max(1, ITERATIONS / 10)),
      microseconds(() => {
        memory.cost(schema, document, undefined, read.variables);
        assertOperationInput(schema, document, operation, read.variables);
      }, ITERATIONS),
    ];
    console.log(`${read.name.padEnd(54)} ${figures.map((f) => `${f.toFixed(1)} µs`.padStart(16)).join(' ')}`);
  }
  console.log('(validate: every rule Apollo runs on a new document, ours included, once per distinct query text;');
  console.log(' cost estimate: once per document and page size; per request: what every request pays, the remembered');
  console.log(' cost and the input rules.)');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
