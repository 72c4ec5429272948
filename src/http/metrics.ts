import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import type { OperationDefinitionNode } from 'graphql';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../graphql/context';

/**
 * `GET /metrics` (Prometheus text format) and the request tracing that ties a log line to it:
 * the request id is taken from `x-request-id` when a client or proxy sends one and echoed back,
 * and the GraphQL operation name joins Fastify's "request completed" log line.
 */

// --- process-wide: Node's own metrics and ingestion, which has no handle on the HTTP server ------

let processRegistry: Registry | undefined;

const ingestedItems = new Counter({
  name: 'mosis_ingested_items_total',
  help: 'Items received by /v1/telemetry and /v1/crashes, by outcome (accepted, duplicate, rejected)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [],
});
// Every series exists from the start, so a dashboard shows 0 rather than "no data".
for (const kind of ['telemetry', 'crash']) {
  for (const outcome of ['accepted', 'duplicate', 'rejected']) ingestedItems.inc({ kind, outcome }, 0);
}

/** Called by ingestion once per batch, after it committed (accepted, duplicates) or refused it (rejected). */
export function recordIngest(kind: 'telemetry' | 'crash', accepted: number, duplicates: number, rejected: number): void {
  ingestedItems.inc({ kind, outcome: 'accepted' }, accepted);
  ingestedItems.inc({ kind, outcome: 'duplicate' }, duplicates);
  ingestedItems.inc({ kind, outcome: 'rejected' }, rejected);
}

/** Created on first use: collectDefaultMetrics starts samplers that should run once per process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    processRegistry.registerMetric(ingestedItems);
  }
  return processRegistry;
}

// --- per server ------------------------------------------------------------------------------

/** Operation names come from clients; past this many distinct ones, new names count as "(other)". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ERROR_CODES = new Set([
  'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE',
]);
/** A scrape must answer even when the database does not: pool gauges matter most then. */
const DATABASE_GAUGES_TIMEOUT_MS = 3_000;

export interface Metrics {
  /** Goes into ApolloServer's `plugins`: counts and times operations, names them in the request log. */
  apolloPlugin: ApolloServerPlugin<RequestContext>;
  /** The same for an operation answered without Apollo's pipeline (src/http/direct-queries.ts): a success, by resolvers or whole in SQL. */
  recordDirectAnswer(operation: OperationDefinitionNode, context: RequestContext, started: bigint, by: 'resolvers' | 'sql'): void;
}

export function registerMetrics(app: FastifyInstance, { db }: { db: DataSource }): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const httpRequests = new Counter({
    name: 'mosis_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'mosis_http_request_duration_seconds',
    help: 'HTTP request duration from arrival to the last byte sent',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const graphqlOperations = new Counter({
    name: 'mosis_graphql_operations_total',
    help: 'GraphQL operations by name, type (query, mutation) and outcome (success, error)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers,
  });
  const graphqlDuration = new Histogram({
    name: 'mosis_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration, parse to response',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const graphqlErrors = new Counter({
    name: 'mosis_graphql_errors_total',
    help: 'Errors in GraphQL responses by operation and extensions.code',
    labelNames: ['operation', 'code'] as const,
    registers,
  });
  const graphqlDirect = new Counter({
    name: 'mosis_graphql_direct_operations_total',
    help: 'GraphQL operations answered without Apollo Server\'s request pipeline (repeated query texts that succeed); also counted in mosis_graphql_operations_total',
    registers,
  });
  const graphqlSqlAnswers = new Counter({
    name: 'mosis_graphql_sql_answers_total',
    help: 'GraphQL operations whose whole data PostgreSQL built in one statement (src/graphql/sql-answers.ts); also counted in mosis_graphql_direct_operations_total',
    registers,
  });
  const httpRequestsOf = labelled((values) => httpRequests.labels(...values));
  const httpDurationOf = labelled((values) => httpDuration.labels(...values));
  const graphqlOperationsOf = labelled((values) => graphqlOperations.labels(...values));
  const graphqlDurationOf = labelled((values) => graphqlDuration.labels(...values));
  const database = databaseGauges(db, registers);
  const exposed = Registry.merge([processMetrics(), registry]);

  // --- HTTP ---
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: bounded label values. Unknown paths share one.
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestsOf(request.method, route, String(reply.statusCode)).inc();
    httpDurationOf(request.method, route).observe(reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (_request, reply) => {
    await database.refresh();
    reply.type(exposed.contentType);
    return exposed.metrics();
  });

  // --- GraphQL ---
  const knownOperations = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    if (!name) return '(anonymous)';
    if (knownOperations.has(name)) return name;
    if (knownOperations.size >= MAX_OPERATION_NAMES || !OPERATION_NAME.test(name)) return '(other)';
    knownOperations.add(name);
    return name;
  };

  const recordOperation = (operation: OperationDefinitionNode | undefined, name: string | null | undefined, errors: readonly { extensions?: Record<string, unknown> }[], started: bigint) => {
    // Without a resolved operation (unparsable or invalid document) the client's name proves nothing.
    const label = operation ? operationLabel(name) : '(unknown)';
    const type = operation?.operation ?? 'unknown';
    graphqlOperationsOf(label, type, errors.length ? 'error' : 'success').inc();
    graphqlDurationOf(label, type).observe(Number(process.hrtime.bigint() - started) / 1e9);
    for (const error of errors) {
      const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      graphqlErrors.inc({ operation: label, code: ERROR_CODES.has(code) ? code : 'other' });
    }
  };

  const apolloPlugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operationName, contextValue }) {
          contextValue.annotateLog({ operationName: operationName ?? '(anonymous)' });
        },
        async willSendResponse({ operation, operationName, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors ?? [] : [];
          recordOperation(operation, operationName, errors, started);
        },
      };
    },
  };

  const recordDirectAnswer = (operation: OperationDefinitionNode, context: RequestContext, started: bigint, by: 'resolvers' | 'sql') => {
    graphqlDirect.inc();
    if (by === 'sql') graphqlSqlAnswers.inc();
    const name = operation.name?.value ?? null;
    context.annotateLog({ operationName: name ?? '(anonymous)' });
    recordOperation(operation, name, [], started);
  };

  return { apolloPlugin, recordDirectAnswer };
}

/**
 * prom-client checks and hashes label values on every call; this keeps one child per label set,
 * values in the metric's labelNames order (every label here has a bounded set of values).
 */
function labelled<Child>(bind: (values: string[]) => Child): (...values: string[]) => Child {
  const children = new Map<string, Child>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (!child) children.set(key, (child = bind(values)));
    return child;
  };
}

/**
 * Pool usage (from the pg Pool inside TypeORM's driver) and server-side gauges, read when scraped:
 * one catalog query per scrape, so nothing runs between scrapes.
 */
function databaseGauges(db: DataSource, registers: Registry[]): { refresh(): Promise<void> } {
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
  const poolConnections = gauge('mosis_db_pool_connections', 'Connections in this process\'s pool, by state (idle, busy)', ['state']);
  const poolWaiting = gauge('mosis_db_pool_waiting_requests', 'Queries waiting for a pool connection (the pool is exhausted while > 0)');
  const poolMax = gauge('mosis_db_pool_max_connections', 'Pool size limit (DB_POOL_MAX)');
  const up = gauge('mosis_db_up', '1 when the database answered the last scrape\'s query, else 0');
  const connections = gauge('mosis_db_connections', 'Server connections to this database, by state (pg_stat_activity)', ['state']);
  const size = gauge('mosis_db_size_bytes', 'Database size on disk');
  const cacheHitRatio = gauge('mosis_db_cache_hit_ratio', 'Share of block reads served from shared_buffers since the statistics reset');
  const deadlocks = gauge('mosis_db_deadlocks', 'Deadlocks since the statistics reset (kept by PostgreSQL; alert on increase())');
  const longestTransaction = gauge('mosis_db_longest_transaction_seconds', 'Age of the oldest open transaction on this database');

  const readPool = () => {
    const pool = (db.driver as unknown as { master?: Pool }).master;
    if (!pool) return;
    poolConnections.set({ state: 'idle' }, pool.idleCount);
    poolConnections.set({ state: 'busy' }, pool.totalCount - pool.idleCount);
    poolWaiting.set(pool.waitingCount);
    poolMax.set(pool.options.max ?? 0);
  };

  const readServer = async () => {
    const [row] = await db.query(`
      SELECT (SELECT coalesce(json_object_agg(state, n), '{}') FROM (
                SELECT state, count(*) AS n FROM pg_stat_activity
                 WHERE datname = current_database() AND backend_type = 'client backend' AND state IS NOT NULL
                 GROUP BY state) s) AS connections,
             pg_database_size(current_database()) AS size,
             blks_hit::float / nullif(blks_hit + blks_read, 0) AS cache_hit_ratio,
             deadlocks,
             (SELECT coalesce(extract(epoch FROM max(now() - xact_start)), 0) FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()) AS longest_transaction
        FROM pg_stat_database WHERE datname = current_database()`);
    connections.reset();
    // The usual states always exist, so a state that empties shows 0 rather than vanishing.
    for (const state of ['active', 'idle', 'idle in transaction']) connections.set({ state }, 0);
    for (const [state, n] of Object.entries(row.connections as Record<string, number>)) connections.set({ state }, Number(n));
    size.set(Number(row.size));
    if (row.cache_hit_ratio !== null) cacheHitRatio.set(Number(row.cache_hit_ratio));
    deadlocks.set(Number(row.deadlocks));
    longestTransaction.set(Number(row.longest_transaction));
  };

  return {
    async refresh() {
      readPool();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), DATABASE_GAUGES_TIMEOUT_MS);
      });
      try {
        await Promise.race([readServer(), timeout]);
        up.set(1);
      } catch {
        up.set(0);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
