import fs from 'node:fs';
import path from 'node:path';
import { type GraphQLSchema, parse, validate, specifiedRules, type OperationDefinitionNode, Kind } from 'graphql';
import { loadConfig } from '../src/config';
import { buildApiSchema } from '../src/graphql/schema';
import { operationCost, queryLimitRules } from '../src/graphql/query-limits';
import { createApp, signUp } from './helpers/factories';
import { ROOT } from './helpers/processes';
import { sampleVariables } from './helpers/schema-values';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** `apps(first: 100) { edges { node { developer { apps(first: 100) { … { id } … } } } } }`: `levels` lists, 4 levels each. */
function appsChain(levels: number): string {
  let inner = 'id';
  for (let i = 1; i < levels; i++) inner = `developer { apps(first: 100) { edges { node { ${inner} } } } }`;
  return `apps(first: 100) { edges { node { ${inner} } } }`;
}

describe('finding 1: one query could take the server down', () => {
  it('refuses the 25-level query before touching the database, while other requests are served', async () => {
    const dev = await signUp(server);
    for (let i = 0; i < 3; i++) await createApp(server, dev.token);
    const deep = `{ me { ${appsChain(6)} } }`;

    server.statements.reset();
    const attacks = Array.from({ length: 20 }, () => server.graphql(deep, {}, dev.token));
    const [health, me] = await Promise.all([server.fetch('/healthz'), server.graphql('{ me { id } }', {}, dev.token)]);
    const refused = await Promise.all(attacks);

    expect(health.status).toBe(200);
    expect(me.data.me.id).toBe(dev.id);
    for (const result of refused) {
      expect(result.status).toBe(400);
      expect(result.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.errors![0].message).toMatch(/depth limit of 15 exceeded/);
    }
    // Only the credential lookups and `me` reached PostgreSQL: no list of apps was read.
    expect(server.statements.sql.filter((sql) => /apps/.test(sql))).toEqual([]);
  });

  it('refuses an anonymous app → developer → apps query within the depth limit by its cost, naming the limit', async () => {
    const { id } = await createApp(server, (await signUp(server)).token);
    const query = `{ app(id: "${id}") { developer { ${appsChain(3)} } } }`;
    server.statements.reset();
    const result = await server.graphql(query);
    expect(result.status).toBe(400);
    expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toMatch(/cost limit of 100000 exceeded, found \d+/);
    expect(server.statements.count).toBe(0);
  });

  it('refuses 1,000 aliases of apps(first: 100), and even 31', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: apps(first: 100) { totalCount }`).join(' ');
    const thousand = await server.graphql(`{ ${aliases(1000)} }`);
    expect(thousand.status).toBe(400);
    expect(thousand.errors![0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const some = await server.graphql(`{ ${aliases(31)} }`);
    expect(some.status).toBe(400);
    expect(some.errors!.map((e) => e.message).join(' ')).toMatch(/Aliases limit of 30 exceeded, found 31/);
  });

  it('refuses too many root fields, tokens and directives', async () => {
    const rootFields = await server.graphql(`{ ${Array.from({ length: 21 }, () => 'me { id }').join(' ')} __typename }`);
    // Repeated identical fields merge, but each still counts as asked for.
    expect(rootFields.errors![0].message).toMatch(/root field limit of 20 exceeded, found 21/);

    const tokens = await server.graphql(`{ me { ${'id '.repeat(2500)} } }`);
    expect(tokens.status).toBe(400);
    expect(tokens.errors![0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(tokens.errors![0].message).toMatch(/more th\w+ 2000 tokens/);

    const directives = await server.graphql(`{ me { id ${'@include(if: true) '.repeat(30)} } }`);
    expect(directives.errors!.map((e) => e.message).join(' ')).toMatch(/Directives limit of 20 exceeded/);
  });

  it('refuses fragments that fan out exponentially, without expanding them', async () => {
    const fragments = Array.from({ length: 30 }, (_, i) => i === 29
      ? `fragment F${i} on Developer { id }`
      : `fragment F${i} on Developer { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const result = await server.graphql(`{ me { ...F0 } } ${fragments}`);
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(errorOf(result).message).toMatch(/more than 10000 fields/);
  });

  it('prices a connection by its page size, with the default when first is absent', async () => {
    const schema = await buildApiSchema();
    const cost = (query: string, variables = {}) => operationCost(schema, parse(query), undefined, variables);
    expect(cost('{ me { id name } }')).toBe(3);
    expect(cost('{ apps { totalCount } }')).toBe(20);
    expect(cost('query ($n: Int) { apps(first: $n) { edges { node { id name } } } }', { n: 100 })).toBe(100 * 4);
    expect(cost('{ apps(first: 10) { edges { node { versions(first: 5) { totalCount } } } } }')).toBe(10 * (1 + 1 + 5));
    expect(cost('{ apps(last: 10) { edges { node { versions(last: 5) { totalCount } } } } }')).toBe(10 * (1 + 1 + 5));
    // A negative page size is refused by the resolver; it must not make a query look cheap.
    expect(cost('{ apps(first: -100) { edges { node { id } } } }')).toBe(3);
  });
});

describe('configuration', () => {
  it('QUERY_MAX_DEPTH and QUERY_MAX_COST change the limits', async () => {
    const strict = await startTestServer({ QUERY_MAX_DEPTH: '5', QUERY_MAX_COST: '70' });
    try {
      const dev = await signUp(strict);
      expect((await strict.graphql('{ me { apps { totalCount } } }', {}, dev.token)).errors).toBeUndefined();
      expect((await strict.graphql('{ me { apps { edges { node { id } } } } }', {}, dev.token)).errors).toBeUndefined();
      const deep = await strict.graphql('{ me { apps { edges { node { developer { id } } } } } }', {}, dev.token);
      expect(deep.errors![0].message).toMatch(/depth limit of 5 exceeded, found 6/);
      const costly = await strict.graphql('{ apps(first: 30) { edges { node { id } } } }');
      expect(costly.errors![0].message).toMatch(/cost limit of 70 exceeded, found 90/);
      // The same document with another page size, or with a list switched on, is priced anew.
      const paged = 'query ($n: Int, $more: Boolean!) { apps(first: $n) { edges { node { id developer @include(if: $more) { id } } } } }';
      expect((await strict.graphql(paged, { n: 20, more: false })).errors).toBeUndefined();
      expect((await strict.graphql(paged, { n: 30, more: false })).errors![0].message).toMatch(/found 90/);
      expect((await strict.graphql(paged, { n: 20, more: true })).errors![0].message).toMatch(/found 100/);
      expect((await strict.graphql(paged, { n: 20, more: false })).errors).toBeUndefined();
    } finally {
      await strict.close();
    }
  });
});

/** Every operation a client of ours sends: the SDK's persisted documents and the README's queries. */
function clientOperations(): { name: string; text: string }[] {
  const manifest: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'sdk/generated/persisted-operations.json'), 'utf8'));
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const fromReadmeCode = [...readme.matchAll(/gql\(`([^`]+)`/g)].map((m) => m[1]);
  const graphqlBlocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1].split('\n').filter((line) => /^\s*(mutation|query|\{)/.test(line)));
  return [
    ...Object.values(manifest).map((text) => ({ name: operationName(text), text })),
    ...[...fromReadmeCode, ...graphqlBlocks].map((text) => ({ name: `README: ${text.slice(0, 60)}`, text })),
  ];
}

function operationName(text: string): string {
  const operation = parse(text).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return operation.name?.value ?? text.slice(0, 60);
}

/** Legal variables that make an operation as costly as it can be: every page size at its maximum. */
function largestPages(schema: GraphQLSchema, text: string): Record<string, unknown> {
  const operation = parse(text).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const variables = sampleVariables(schema, operation);
  for (const name of Object.keys(variables)) if (/(^f|F)irst$|(^l|L)ast$/.test(name)) variables[name] = 100;
  return variables;
}

describe('every SDK and README operation stays within the default limits', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildApiSchema();
  });
  const operations = clientOperations();

  it('finds the SDK and README operations', () => {
    expect(operations.length).toBeGreaterThan(25);
    expect(operations.filter((o) => o.name.startsWith('README')).length).toBeGreaterThanOrEqual(8);
  });

  it.each(operations.map((o) => [o.name, o.text]))('%s', (_name, text) => {
    const { limits } = loadConfig();
    const document = parse(text, { maxTokens: limits.maxTokens });
    expect(validate(schema, document, [...specifiedRules, ...queryLimitRules(limits)]).map((e) => e.message)).toEqual([]);
    expect(operationCost(schema, document, undefined, largestPages(schema, text))).toBeLessThanOrEqual(limits.maxCost);
  });
});
