import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { type Config, graphqlIntrospection } from '../config';
import { migrationsUpToDate } from '../db/database';
import type { RequestContext } from '../graphql/context';
import { AppError, formatError } from '../graphql/errors';
import { CompiledOperations } from '../graphql/executor';
import { inputRulesCheck } from '../graphql/input-rules';
import { createLoaders } from '../graphql/loaders';
import { operationChecksPlugin } from '../graphql/operation-checks';
import { queryCostCheck, queryLimitRules } from '../graphql/query-limits';
import { SqlAnswers, type SqlRenderings } from '../graphql/sql-answers';
import type { Services } from '../services';
import { registerConsole } from './console';
import { directQueries } from './direct-queries';
import { GRAPHIQL_CSP, graphiqlPage, registerGraphiqlAssets, wantsGraphiql } from './graphiql';
import { logStream } from '../logging';
import { logSerializers } from './log-serializers';
import { registerMetrics } from './metrics';
import { persistedOnlyGuard } from './persisted-operations';
import { registerHttpSecurity } from './security';
import { registerIngestRoutes } from '../telemetry/ingest.routes';

const QUIETER_THAN_INFO = new Set(['warn', 'error', 'fatal', 'silent']);

export interface HttpDeps {
  config: Config;
  db: DataSource;
  schema: GraphQLSchema;
  /** What PostgreSQL may answer whole (SQL_RENDERINGS). */
  renderings: SqlRenderings;
  services: Services;
}

/** Builds the whole HTTP surface; the caller decides when to listen and when to close. */
export async function createHttpServer({ config, db, schema, renderings, services }: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, serializers: logSerializers, stream: logStream(config) },
    requestIdHeader: 'x-request-id',
    // Which X-Forwarded-For to believe decides request.ip: the audit log's and the rate limits' address.
    trustProxy: trustProxyOption(config.trustProxy),
    // Idle keep-alive sockets close at once on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
  });
  await registerHttpSecurity(app, config.security);
  const metrics = registerMetrics(app, { db });

  const operations = new CompiledOperations(schema);
  const checks = [queryCostCheck(config.limits.maxCost), inputRulesCheck];
  // One context per request, whichever way it is answered: it counts against the rate limits.
  const contexts = new WeakMap<FastifyRequest, Promise<RequestContext>>();
  const contextOf = (request: FastifyRequest, reply: FastifyReply) => {
    let context = contexts.get(request);
    if (!context) contexts.set(request, (context = createContext(request, reply, services)));
    return context;
  };
  const sqlAnswers = new SqlAnswers(schema, renderings, (text, values) => services.reads.rows(text, values));
  const direct = directQueries({ schema, operations, sqlAnswers, checks, metrics, contextOf });

  const introspection = graphqlIntrospection(config);
  const apollo = new ApolloServer<RequestContext>({
    gateway: operations.gateway(),
    introspection,
    // "Did you mean …" in validation errors would hand out the schema that introspection withholds.
    hideSchemaDetailsFromClientErrors: !introspection,
    includeStacktraceInErrorResponses: config.nodeEnv === 'development',
    formatError: (formatted, error) =>
      formatError(formatted, error, config.nodeEnv === 'development', (e) => app.log.error({ err: e }, 'unexpected error')),
    // Limits on the document (depth, aliases, …) are validation rules, so a cached document skips
    // them; the cost and input checks depend on the variables and run per request, before execution.
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: queryLimitRules(config.limits),
    // Cache-control hints would wrap every field resolver for a feature nothing here uses.
    plugins: [
      fastifyApolloDrainPlugin(app), metrics.apolloPlugin, ApolloServerPluginCacheControlDisabled(),
      operationChecksPlugin(checks), direct.plugin,
    ],
  });
  await apollo.start();
  const graphqlHandler = fastifyApolloHandler(apollo, { context: contextOf });

  app.route<{ Reply: string }>({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/graphql',
    preHandler: persistedOnlyGuard(config, app.log),
    errorHandler: (error, request, reply) => {
      // Fastify refuses a body it cannot parse (no or a form content type: 415; broken JSON: 400)
      // before Apollo sees it. Answer in GraphQL's shape too, so a client reads one format.
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, 'unexpected error');
      const sent = request.headers['content-type'];
      const message =
        status === 415
          ? 'POST /graphql takes a JSON body: send "Content-Type: application/json" with {"query": "…", "variables": {…}} ' +
            `(got ${sent ? JSON.stringify(sent.slice(0, 100)) : 'no content type'}).`
          : status === 500
            ? 'Internal server error'
            : error.message;
      const code = status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
      return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
    },
    async handler(request, reply) {
      if (wantsGraphiql(request)) {
        reply.type('text/html; charset=utf-8').header('content-security-policy', GRAPHIQL_CSP);
        return graphiqlPage({ endpoint: '/graphql' });
      }
      return (await direct.answer(request, reply)) ?? graphqlHandler.call(this, request, reply);
    },
  });
  registerGraphiqlAssets(app);
  await registerConsole(app);
  registerIngestRoutes(app, { services, config });

  app.get('/healthz', async () => ({ status: 'ok' }));

  let migrated = false;
  app.get('/readyz', async (_request, reply) => {
    try {
      await db.query('SELECT 1');
      migrated = migrated || (await migrationsUpToDate(db));
      if (!migrated) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  return app;
}

/** Authenticates (a remembered credential or a lookup), counts the request against the rate limits. */
async function createContext(request: FastifyRequest, reply: FastifyReply, services: Services): Promise<RequestContext> {
  let principal;
  try {
    try {
      principal = await services.auth.authenticateCached(request.headers.authorization);
    } catch (error) {
      // A failed credential still counts, against the address it came from.
      await services.rateLimits.countGraphQLRequest(null, request.ip);
      throw error;
    }
    await services.rateLimits.countGraphQLRequest(principal, request.ip);
  } catch (error) {
    throw withHttpStatus(error);
  }
  return {
    requestId: request.id,
    ip: request.ip ?? null,
    principal,
    services,
    loaders: createLoaders(services),
    // A method on `this`: Apollo hands the executor a copy of the object returned here.
    async confirmCredential(this: RequestContext) {
      const check = this.principal?.check;
      if (!check || (await services.auth.confirm(check))) return true;
      this.principal = await services.auth.authenticate(request.headers.authorization).catch((error) => {
        throw withHttpStatus(error);
      });
      this.loaders = createLoaders(services);
      return false;
    },
    // Fastify writes "request completed" (info) with reply.log, this request's own child logger;
    // at quieter levels there is no such line, and no child logger need be made for it.
    annotateLog: (fields) => {
      if (!QUIETER_THAN_INFO.has(reply.log.level)) reply.log = reply.log.child(fields);
    },
  };
}

/** An AppError thrown outside a resolver carries its HTTP status to Apollo this way. */
function withHttpStatus(error: unknown): unknown {
  if (error instanceof AppError) error.extensions.http ??= { status: error.httpStatus };
  return error;
}

/** Fastify takes a hop count at run time but types it only as a function: the same rule, spelled out. */
function trustProxyOption(trust: Config['trustProxy']): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}
