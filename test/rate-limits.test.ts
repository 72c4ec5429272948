import { loadConfig } from '../src/config';
import { signUp } from './helpers/factories';
import { describeWithRedis, redisRateLimitEnv, startTestRedis, type TestRedis } from './helpers/redis';
import { ingester, telemetryEvent } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

const SIGN_IN = `mutation ($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`;
const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`;

/** A client address of its own for each use: the servers below trust X-Forwarded-For from loopback. */
let lastIp = 0;
const newIp = () => `203.0.113.${++lastIp}`;
const from = (ip: string) => ({ 'x-forwarded-for': ip });

/** The contract's limits, the same whether the counters live in this process or in Redis. */
function rateLimitSuite(backendEnv: () => Record<string, string>) {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      ...backendEnv(),
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_GRAPHQL_PER_MINUTE: '40',
      RATE_LIMIT_INGEST_PER_MINUTE: '3',
    });
  });
  afterAll(() => server.close());

  const signIn = (email: string, password: string, ip: string) =>
    server.graphqlWith({ query: SIGN_IN, variables: { email, password }, headers: from(ip) });

  it('locks signIn for an email from one IP after 10 failures, right password included, with 429 and Retry-After', async () => {
    const dev = await signUp(server);
    const ip = newIp();
    for (let i = 0; i < 10; i++) {
      expect((await signIn(dev.email, 'wrong password!', ip)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const locked = await signIn(dev.email.toUpperCase(), dev.password, ip);
    expect(locked.status).toBe(429);
    expect(locked.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = (locked.errors![0].extensions as any).retryAfter;
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(locked.headers.get('retry-after')).toBe(String(retryAfter));
    expect(locked.data).toBeNull();

    // The lockout is for that pair only.
    expect((await signIn(dev.email, dev.password, newIp())).data?.signIn.token).toBeDefined();
    const other = await signUp(server);
    expect((await signIn(other.email, other.password, ip)).data?.signIn.token).toBeDefined();

    const [{ count }] = await server.db.query(
      `SELECT count(*)::int AS count FROM audit_logs WHERE action = 'developer.sign_in_failed' AND metadata->>'reason' = 'rate_limited' AND ip = $1`,
      [ip],
    );
    expect(count).toBe(1);
  });

  it('does not count sign-ins that succeed', async () => {
    const dev = await signUp(server);
    const ip = newIp();
    for (let i = 0; i < 9; i++) await signIn(dev.email, 'wrong password!', ip);
    for (let i = 0; i < 3; i++) expect((await signIn(dev.email, dev.password, ip)).data?.signIn.token).toBeDefined();
  });

  it('allows 20 signUps an hour from one IP and refuses the 21st without creating it', async () => {
    const ip = newIp();
    const input = (i: number) => ({ email: `burst-${ip}-${i}@example.com`, name: 'Burst', password: 'long enough password' });
    for (let i = 0; i < 20; i++) {
      expect((await server.graphqlWith({ query: SIGN_UP, variables: { input: input(i) }, headers: from(ip) })).errors).toBeUndefined();
    }
    const refused = await server.graphqlWith({ query: SIGN_UP, variables: { input: input(20) }, headers: from(ip) });
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(59 * 60);
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM developers WHERE email = $1`, [input(20).email]);
    expect(count).toBe(0);
    const elsewhere = await server.graphqlWith({ query: SIGN_UP, variables: { input: input(21) }, headers: from(newIp()) });
    expect(elsewhere.errors).toBeUndefined();
  });

  it('limits GraphQL requests per IP when anonymous and per credential otherwise', async () => {
    const ip = newIp();
    const dev = await signUp(server);
    const anonymous = () => server.graphqlWith({ query: '{ __typename }', headers: from(ip) });
    for (let i = 0; i < 40; i++) expect((await anonymous()).status).toBe(200);
    const limited = await anonymous();
    expect(limited.status).toBe(429);
    expect(limited.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // A signed-in caller from the same address has a bucket of its own.
    const signedIn = await server.graphqlWith({ query: '{ me { id } }', token: dev.token, headers: from(ip) });
    expect(signedIn.data.me.id).toBe(dev.id);
  });

  it('limits ingestion batches per API key: 429 with Retry-After, nothing stored', async () => {
    const { appId, key } = await ingester(server);
    const send = (eventId: string) =>
      server.fetch('/v1/telemetry', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify([telemetryEvent(appId, { eventId })]),
      });
    for (let i = 0; i < 3; i++) expect((await send(`ok-${i}`)).status).toBe(202);
    const limited = await send('over-the-limit');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { error: string }).error).toMatch(/at most 3 ingestion batches a minute/i);
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM telemetry_events WHERE app_id = $1`, [appId]);
    expect(count).toBe(3);
  });
}

describe('rate limits, counted in this process', () => {
  rateLimitSuite(() => ({ RATE_LIMITS: 'on' }));
});

describeWithRedis('rate limits, counted in Redis (REDIS_URL)', () => {
  let redis: TestRedis;
  let env: Record<string, string>;
  beforeAll(async () => {
    redis = await startTestRedis();
    env = redisRateLimitEnv(redis);
  });
  afterAll(() => redis?.stop());
  rateLimitSuite(() => env);
});

describe('rate limit configuration', () => {
  it('is on by default, in memory, with at least 600 GraphQL requests a minute', () => {
    const limits = loadConfig({}).rateLimits;
    expect(limits).toMatchObject({ enabled: true, redisUrl: undefined });
    expect(limits.graphqlPerMinute).toBeGreaterThanOrEqual(600);
    expect(limits.ingestBatchesPerMinute).toBeGreaterThan(0);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says whom to believe', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1');
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY="everyone"/);
  });
});

describe('RATE_LIMITS', () => {
  it('off lets every attempt through (benchmarks, load tests)', async () => {
    const server = await startTestServer({ RATE_LIMITS: 'off' });
    try {
      const dev = await signUp(server);
      for (let i = 0; i < 12; i++) await server.graphql(SIGN_IN, { email: dev.email, password: 'wrong password!' });
      expect((await server.graphql(SIGN_IN, { email: dev.email, password: dev.password })).data.signIn.token).toBeDefined();
    } finally {
      await server.close();
    }
  });

  it('on, with X-Forwarded-For untrusted by default, a spoofed header does not escape the lockout', async () => {
    const server = await startTestServer({ RATE_LIMITS: 'on' });
    try {
      const dev = await signUp(server);
      for (let i = 0; i < 10; i++) {
        await server.graphqlWith({ query: SIGN_IN, variables: { email: dev.email, password: 'wrong password!' }, headers: from(newIp()) });
      }
      const locked = await server.graphqlWith({ query: SIGN_IN, variables: { email: dev.email, password: dev.password }, headers: from(newIp()) });
      expect(locked.errors?.[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await server.close();
    }
  });
});
