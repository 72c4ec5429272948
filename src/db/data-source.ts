import { DataSource, Logger } from 'typeorm';
import type { Config } from '../config';
import { migrations } from '../../migrations';
import { entities } from './entities';

export interface DataSourceOptions {
  url: string;
  pool: Config['db'];
  /** Observes every statement; tests use it to count round trips. */
  logger?: Logger;
}

export function createDataSource({ url, pool, logger }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    // Each migration runs in its own transaction, so a failure leaves the ones before it applied.
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Migrations own every extension; left on, TypeORM would install uuid-ossp behind their back.
    installExtensions: false,
    logging: logger ? ['query'] : false,
    logger,
    applicationName: 'mosis',
    poolSize: pool.poolMax,
    extra: {
      idleTimeoutMillis: pool.idleTimeoutMs,
      connectionTimeoutMillis: pool.connectionTimeoutMs,
      // A startup parameter, which PgBouncer refuses: behind it the role's own setting applies
      // (ALTER ROLE … SET statement_timeout, see docs/OPERATIONS.md).
      statement_timeout: pool.pooler === 'none' ? pool.statementTimeoutMs || undefined : undefined,
    },
  });
}
