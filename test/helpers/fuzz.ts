import type { GraphQLSchema } from 'graphql';
import { argumentLeaves, type ArgumentLeaf } from './schema-values';

/** mulberry32: a small seeded generator, so a failing fuzz run can be replayed exactly. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

export type Credential = 'none' | 'session' | 'apiKey' | 'garbage';

export interface FuzzRequest {
  label: string;
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  credential: Credential;
  /** For GraphQL requests: the root field, to account for what a success may have stored. */
  field?: string;
}

export const SQL_FRAGMENTS = [
  `' OR '1'='1`,
  `'; DROP TABLE apps; --`,
  `" OR ""="`,
  `1; SELECT pg_sleep(10) --`,
  `\\'; DELETE FROM developers; --`,
  `') UNION SELECT password_hash FROM developers --`,
  `%' AND 1=1 --`,
  `$1::text`,
];

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const UUID = '3f2b8c1e-9a7d-4e6f-8b5a-1c2d3e4f5a6b';
const deepObject = (depth: number): unknown => (depth === 0 ? 1 : { a: deepObject(depth - 1) });

/** Values that must be refused (or handled) for a leaf of each type; wrong types for every leaf. */
const HOSTILE: Record<string, () => unknown[]> = {
  String: () => [
    'a\u0000b', '\uD800', '\uDFFF\uD800x', 'x'.repeat(256), 'x'.repeat(100_000), '', ' \n\t ', '😀'.repeat(70),
    '<script>alert(1)</script>', '${jndi:ldap://x/a}', '../../etc/passwd', '%00', ...SQL_FRAGMENTS,
  ],
  ID: () => ['a\u0000b', '\uD800', 'x'.repeat(300), '', UUID.toUpperCase(), `${UUID}'--`, '00000000-0000-0000-0000-000000000000', 42, -1],
  Int: () => [-1, 0, 101, 2 ** 31, -(2 ** 31) - 1, 1e9, Number.MAX_SAFE_INTEGER, 1.5, '20', -100, 1e308],
  Float: () => [-1, 0, 1e308, -1e308, 5e-324, '1', 101],
  Boolean: () => ['true', 0, 1],
  Date: () => ['0000-01-01', '9999-12-31', '10000-01-01', '2024-02-30', 'yesterday', '', 20240101, '1970-01-01T00:00:00Z'],
  DateTime: () => ['0000-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:59:59-05:00', '2024-13-01T00:00:00Z', 'now', 0, '2024-01-01'],
  BigInt: () => ['9223372036854775808', '-9223372036854775809', '-1', '0', '1e5', 'abc', 1.5, 2 ** 64],
  JSON: () => [deepObject(40), { 'k\u0000': 1 }, { k: '\uD800' }, 'x'.repeat(10_000)],
  WRONG_TYPE: () => [null, true, 123, [], {}, ['a', 'b'], { $ne: 1 }, 'string'],
};

const BOGUS_CURSORS = [
  cursorOf(['2024-99-99T00:00:00', UUID]), cursorOf([2147483648]), cursorOf([1, 'x\u0000', UUID]), cursorOf(['99999999999999999999']),
  cursorOf([]), cursorOf({}), cursorOf(['0000-01-01T00:00:00.000000Z', '1']), cursorOf([null, null]), cursorOf(['1', 'zz']),
  'not base64 !!', Buffer.from('not json').toString('base64url'), cursorOf(SQL_FRAGMENTS[1]), '', '=',
];

function hostileFor(leaf: ArgumentLeaf, random: Random): unknown {
  if (leaf.field === 'after' || leaf.field === 'before') return random.pick(BOGUS_CURSORS);
  if (leaf.field === 'first' || leaf.field === 'last') return random.pick([-1, 0, -100, 101, 1e9, 2 ** 31, 1.5, '10']);
  const own = (HOSTILE[leaf.typeName] ?? (() => ['NOPE', 'draft', 1]))();
  return random.pick(random.next() < 0.8 ? own : HOSTILE.WRONG_TYPE());
}

function graphqlRequest(label: string, query: string, variables: unknown, credential: Credential, field?: string): FuzzRequest {
  return {
    label, path: '/graphql', method: 'POST', credential, field,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  };
}

/**
 * Requests built from the schema itself, so an argument added later is fuzzed without anyone
 * touching this file: for every leaf of every argument, `perLeaf` hostile values of its type (or
 * of a wrong one), and every SQL fragment in every String argument.
 */
export function hostileGraphQLRequests(schema: GraphQLSchema, random: Random, ids: readonly string[], perLeaf: number): FuzzRequest[] {
  const id = () => random.pick(ids);
  const credential = () => random.pick<Credential>(['none', 'session', 'session', 'session', 'apiKey', 'apiKey', 'garbage']);
  const requests: FuzzRequest[] = [];
  for (const leaf of argumentLeaves(schema)) {
    const field = leaf.label.split(' ')[0].split('.')[1];
    for (let i = 0; i < perLeaf; i++) {
      const value = hostileFor(leaf, random);
      const { query, variables } = leaf.request(value, id);
      requests.push(graphqlRequest(`${leaf.label} = ${describe(value)}`, query, variables, credential(), field));
    }
    if (leaf.typeName === 'String') {
      for (const fragment of SQL_FRAGMENTS) {
        const { query, variables } = leaf.request(fragment, id);
        requests.push(graphqlRequest(`${leaf.label} = ${fragment}`, query, variables, credential(), field));
      }
    }
  }
  return requests;
}

/** Malformed HTTP around /graphql: broken JSON, NaN and Infinity, wrong shapes and content types. */
export function hostileHttpRequests(random: Random, count: number): FuzzRequest[] {
  const bodies: [string, string][] = [
    ['application/json', '{"query": "{ me { id } }"'],
    ['application/json', '{"query": "{ apps(first: NaN) { totalCount } }"}'],
    ['application/json', '{"query": "query ($n: Int) { apps(first: $n) { totalCount } }", "variables": {"n": NaN}}'],
    ['application/json', '{"query": "query ($n: Int) { apps(first: $n) { totalCount } }", "variables": {"n": Infinity}}'],
    ['application/json', '{"query": "query ($n: Float) { __typename }", "variables": {"n": -Infinity}}'],
    ['application/json', '{"query": 42}'],
    ['application/json', '{"query": null}'],
    ['application/json', '{"query": "{ me { id } }", "variables": "nope"}'],
    ['application/json', '{"query": "{ me { id } }", "variables": [1, 2]}'],
    ['application/json', '{"query": "{ me { id } }", "operationName": 7}'],
    ['application/json', '{"query": "query A { me { id } }", "operationName": "B"}'],
    ['application/json', '{"query": "query A { me { id } } query B { me { id } }"}'],
    ['application/json', '[{"query": "{ me { id } }"}, {"query": "{ me { id } }"}]'],
    ['application/json', '"just a string"'],
    ['application/json', 'null'],
    ['application/json', ''],
    ['application/json', '{"query": "{ me { id } }", "extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}}'],
    ['application/json', '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}'],
    ['application/json', '{"query": "{ me { id }", "variables": {}}'],
    ['application/json', '{"query": "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }"}'],
    ['application/json', `{"query": "{ me { id } }", "variables": {"x": "${'\\u0000'.repeat(10)}"}}`],
    ['application/json', '{"query": "{ me { ...A } } fragment A on Developer { ...A }"}'],
    ['application/json', '{"query": "subscription { me { id } }"}'],
    ['application/json', '{"query": "mutation { signIn(email: \\"\\\\u0000\\", password: 1) { token } }"}'],
    ['text/plain', '{ me { id } }'],
    ['application/xml', '<query>{ me { id } }</query>'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ me { id } }\r\n--x--'],
    ['application/x-www-form-urlencoded', 'query=%7B+me+%7B+id+%7D+%7D'],
    ['application/graphql', '{ me { id } }'],
    ['application/json; charset=utf-16', '{"query": "{ me { id } }"}'],
  ];
  const gets = ['?query=%7B', '?query=mutation%20%7B%20signOut%20%7D', '?query=%7B%20me%20%7B%20id%20%7D%20%7D&variables=%7Bnope',
    '?query=%7B%20me%20%7B%20id%20%7D%20%7D&extensions=%7B%22persistedQuery%22%3A1%7D', '?variables=%7B%7D', `?query=${'%7B'.repeat(3000)}`];
  return Array.from({ length: count }, (_, i) => {
    if (random.next() < 0.2) {
      const query = random.pick(gets);
      return { label: `GET /graphql${query.slice(0, 60)}`, path: `/graphql${query}`, method: 'GET', credential: 'none', headers: { accept: 'application/json' } } as FuzzRequest;
    }
    const [type, body] = bodies[i % bodies.length];
    return { label: `POST ${type}: ${body.slice(0, 60)}`, path: '/graphql', method: 'POST', credential: random.pick<Credential>(['none', 'session', 'garbage']), headers: { 'content-type': type }, body };
  });
}

/** Hostile batches for /v1/telemetry and /v1/crashes. */
export function hostileIngestRequests(random: Random, appId: string, count: number): FuzzRequest[] {
  const now = Date.now();
  const event = (overrides: Record<string, unknown>) => ({
    appId, deviceId: `device-${random.int(5)}`, eventType: 'app_open', timestamp: new Date(now - 60_000).toISOString(),
    eventId: `fuzz-${random.int(1e9)}`, ...overrides,
  });
  const crash = (overrides: Record<string, unknown>) => ({
    appId, appVersion: '1.0', deviceId: 'device-1', crashType: 'java.lang.Error', timestamp: new Date(now - 60_000).toISOString(),
    eventId: `fuzz-${random.int(1e9)}`, ...overrides,
  });
  const fields = ['appId', 'deviceId', 'eventType', 'eventData', 'mosisVersion', 'timestamp', 'eventId', 'appVersion', 'crashType', 'message', 'stackTrace', 'context'];
  const hostileValue = () => random.pick([
    ...HOSTILE.String(), ...HOSTILE.WRONG_TYPE(), ...HOSTILE.JSON(), ...HOSTILE.DateTime(), 'x'.repeat(40_000),
    `${UUID}`, new Date(now + 3 * 86_400_000).toISOString(), '1970-01-01T00:00:00Z',
  ]);
  const bodies: (() => [string, string])[] = [
    () => ['application/json', JSON.stringify([event({ [random.pick(fields)]: hostileValue() })])],
    () => ['application/json', JSON.stringify([crash({ [random.pick(fields)]: hostileValue() })])],
    () => ['application/json', JSON.stringify(random.pick([{}, null, 'x', 1, [], [null], [[]], [1, 2]]))],
    () => ['application/json', '[{"appId": "x", "timestamp": NaN}]'],
    () => ['application/json', `[{"eventData": ${'['.repeat(15_000)}${']'.repeat(15_000)}}]`],
    () => ['application/json', '[{"appId": '],
    () => ['application/x-ndjson', `${JSON.stringify(event({}))}\n{broken\n${JSON.stringify(event({ eventType: hostileValue() }))}\n[1]\nnull`],
    () => ['application/x-ndjson', '\u0000\n\uD800\n' + 'x'.repeat(1000)],
    () => ['text/plain', JSON.stringify([event({})])],
    () => ['application/json', JSON.stringify([event({}), event({ appId: UUID })])],
    () => ['application/json', JSON.stringify(Array.from({ length: 3 }, () => event({})))],
  ];
  return Array.from({ length: count }, (_, i) => {
    const path = random.pick(['/v1/telemetry', '/v1/crashes']);
    const [type, body] = bodies[i % bodies.length]();
    return {
      label: `POST ${path} ${type}: ${body.slice(0, 80)}`, path, method: 'POST', body,
      headers: { 'content-type': type }, credential: random.pick<Credential>(['apiKey', 'apiKey', 'apiKey', 'none', 'session', 'garbage']),
    };
  });
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}… (${text.length})` : text;
}
