import { DataSource } from 'typeorm';
import type { Config } from '../config';
import { createDataSource } from './data-source';
import { ensureDatabase, startEmbeddedPostgres } from './embedded';

export const EMBEDDED_DATABASE_NAME = 'mosis';

export interface Database {
  dataSource: DataSource;
  url: string;
  /** Closes the pool, then stops the embedded server if this process started one. */
  close(): Promise<void>;
}

/** The database named by DATABASE_URL, or the embedded one under DATA_DIR (started on demand). */
export async function resolveDatabaseUrl(
  config: Config,
  log: (message: string) => void,
): Promise<{ url: string; stopServer: () => Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, stopServer: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  try {
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE_NAME);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { url: embedded.urlFor(EMBEDDED_DATABASE_NAME), stopServer: embedded.stop };
}

export async function openDatabase(config: Config, log: (message: string) => void): Promise<Database> {
  const { url, stopServer } = await resolveDatabaseUrl(config, log);
  const dataSource = createDataSource({ url, pool: config.db });
  try {
    await dataSource.initialize();
  } catch (error) {
    await stopServer();
    throw error;
  }
  return {
    dataSource,
    url,
    close: async () => {
      await dataSource.destroy();
      await stopServer();
    },
  };
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/** True when no migration is pending: what /readyz requires. */
export async function migrationsUpToDate(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
