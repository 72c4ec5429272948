import { recordIngest } from '../src/http/metrics';
import { signUp } from './helpers/factories';
import { parseMetrics, valueOf } from './helpers/metrics';
import { freePort, spawnNode, waitForHttp } from './helpers/processes';
import { startTestServer, type TestServer } from './helpers/test-server';

const post = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('GET /metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const scrape = async () => {
    const response = await server.fetch('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parseMetrics(await response.text());
  };

  it('exposes requests and latencies by operation, pool usage, database gauges and ingestion counts', async () => {
    const dev = await signUp(server);
    const auth = { authorization: `Bearer ${dev.token}` };
    for (let i = 0; i < 2; i++) expect((await post(server.url, { query: 'query Me { me { id } }' }, auth)).status).toBe(200);
    await post(server.url, { query: 'mutation SignIn { signIn(email: "nobody@example.com", password: "wrong password") { token } }' });
    await post(server.url, { query: 'query Broken { me { noSuchField } }' }, auth);
    const ingestBefore = valueOf(await scrape(), 'mosis_ingested_items_total', { kind: 'telemetry', outcome: 'accepted' });
    recordIngest('telemetry', 5, 2, 1);

    const samples = await scrape();
    expect(valueOf(samples, 'mosis_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(valueOf(samples, 'mosis_http_request_duration_seconds_count', { method: 'POST', route: '/graphql' })).toBeGreaterThanOrEqual(4);
    expect(valueOf(samples, 'mosis_http_request_duration_seconds_bucket', { method: 'POST', route: '/graphql', le: '+Inf' })).toBeGreaterThanOrEqual(4);

    expect(valueOf(samples, 'mosis_graphql_operations_total', { operation: 'Me', type: 'query', outcome: 'success' })).toBe(2);
    expect(valueOf(samples, 'mosis_graphql_operation_duration_seconds_count', { operation: 'Me', type: 'query' })).toBe(2);
    expect(valueOf(samples, 'mosis_graphql_operations_total', { operation: 'SignIn', type: 'mutation', outcome: 'error' })).toBe(1);
    expect(valueOf(samples, 'mosis_graphql_errors_total', { operation: 'SignIn', code: 'UNAUTHENTICATED' })).toBe(1);
    // An invalid document never resolves to an operation: its client-chosen name is not a label.
    expect(valueOf(samples, 'mosis_graphql_operations_total', { operation: '(unknown)', outcome: 'error' })).toBe(1);
    expect(valueOf(samples, 'mosis_graphql_errors_total', { operation: '(unknown)', code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);

    expect(valueOf(samples, 'mosis_db_pool_max_connections')).toBe(server.config.db.poolMax);
    expect(valueOf(samples, 'mosis_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'mosis_db_pool_connections', { state: 'busy' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'mosis_db_pool_waiting_requests')).toBe(0);

    expect(valueOf(samples, 'mosis_db_up')).toBe(1);
    expect(valueOf(samples, 'mosis_db_size_bytes')).toBeGreaterThan(1_000_000);
    // The scrape's own query is active while it reads pg_stat_activity.
    expect(valueOf(samples, 'mosis_db_connections', { state: 'active' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'mosis_db_cache_hit_ratio')).toBeGreaterThan(0);
    expect(valueOf(samples, 'mosis_db_cache_hit_ratio')).toBeLessThanOrEqual(1);
    expect(valueOf(samples, 'mosis_db_deadlocks')).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'mosis_db_longest_transaction_seconds')).toBeGreaterThanOrEqual(0);

    expect(valueOf(samples, 'mosis_ingested_items_total', { kind: 'telemetry', outcome: 'accepted' })).toBe(ingestBefore! + 5);
    expect(valueOf(samples, 'mosis_ingested_items_total', { kind: 'telemetry', outcome: 'duplicate' })).toBeGreaterThanOrEqual(2);
    expect(valueOf(samples, 'mosis_ingested_items_total', { kind: 'crash', outcome: 'rejected' })).toBeGreaterThanOrEqual(0);

    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('takes the request id from x-request-id and echoes it; makes one up otherwise', async () => {
    const given = await post(server.url, { query: '{ __typename }' }, { 'x-request-id': 'trace-abc-123' });
    expect(given.headers.get('x-request-id')).toBe('trace-abc-123');
    const made = await server.fetch('/healthz');
    expect(made.headers.get('x-request-id')).toMatch(/\S+/);
  });
});

describe('logs of npm start', () => {
  it('are JSON lines; the request line carries the request id and the GraphQL operation name', async () => {
    const server = await startTestServer();
    const port = await freePort();
    const app = spawnNode('dist/src/main.js', [], { DATABASE_URL: server.database.url, PORT: String(port), LOG_LEVEL: 'info' });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, app);
      await post(`http://127.0.0.1:${port}`, { query: 'query WhoAmI { me { id } }' }, { 'x-request-id': 'log-line-42' });
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
      await server.close();
    }
    const lines = app.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    expect(lines.find((l) => String(l.msg).startsWith('Mosis API ready'))).toMatchObject({ level: 30 });
    expect(lines.find((l) => l.msg === 'request completed' && l.reqId === 'log-line-42')).toMatchObject({
      operationName: 'WhoAmI',
      res: { statusCode: 200 },
    });
    expect(lines.find((l) => l.msg === 'stopped')).toBeDefined();
  });
});
