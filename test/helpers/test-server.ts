import type { FastifyInstance } from 'fastify';
import type { DataSource, Logger } from 'typeorm';
import { type Config, loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { buildApiSchema, SQL_RENDERINGS } from '../../src/graphql/schema';
import { createHttpServer } from '../../src/http/server';
import { createServices, type Services } from '../../src/services';
import { createTestDatabase, type TestDatabase } from './database';
import { withDatabase } from './urls';

export interface GraphQLResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions: { code: string; field?: string } }[];
}

export interface TestServer {
  url: string;
  db: DataSource;
  database: TestDatabase;
  services: Services;
  config: Config;
  /** Statements sent to PostgreSQL by the server since the last reset: for round-trip tests. */
  statements: StatementCounter;
  graphql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResult<T>>;
  /** The same POST with extra request headers (X-Forwarded-For, Origin, …), keeping the response headers. */
  graphqlWith<T = any>(
    request: { query: string; variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResult<T> & { headers: Headers }>;
  /** Raw HTTP, for the endpoints outside GraphQL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The real HTTP server on a random loopback port, over a private database: tests talk to it the
 * way clients do. `env` overrides configuration for this server only (e.g. NODE_ENV=production).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const config = { ...loadConfig(), host: '127.0.0.1', port: 0 };
  process.env = saved;

  const statements = new StatementCounter();
  // CI's pooled run (.ci/run) sends the server's queries through PgBouncer; creating and dropping
  // databases, and anything else using database.url, still goes straight to PostgreSQL.
  const pooler = process.env.MOSIS_TEST_POOLER_URL;
  const db = createDataSource({ url: pooler ? withDatabase(pooler, database.name) : database.url, pool: config.db, logger: statements });
  await db.initialize();
  const services = createServices(db, config);
  await services.rateLimits.ready();
  const app: FastifyInstance = await createHttpServer({ config, db, schema: await buildApiSchema(), renderings: SQL_RENDERINGS, services });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;

  const server: TestServer = {
    url,
    db,
    database,
    services,
    config,
    statements,
    fetch: (path, init) => fetch(url + path, init),
    async graphql(query, variables, token) {
      const { headers: _headers, ...result } = await server.graphqlWith({ query, variables, token });
      return result;
    },
    async graphqlWith({ query, variables, token, headers = {} }) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
    },
    async close() {
      await app.close();
      await services.rateLimits.close();
      await db.destroy();
      await database.drop();
    },
  };
  return server;
}

/** A TypeORM logger that only counts the statements it sees (and keeps their text for failures). */
export class StatementCounter implements Logger {
  sql: string[] = [];
  get count(): number {
    return this.sql.length;
  }
  reset(): void {
    this.sql = [];
  }
  logQuery(query: string): void {
    this.sql.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** The one error of a failed result, for asserting its code. */
export function errorOf(result: GraphQLResult): { message: string; code: string; field?: string } {
  if (!result.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(result.data)}`);
  const [error] = result.errors;
  return { message: error.message, code: error.extensions.code, field: error.extensions.field };
}
