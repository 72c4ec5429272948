import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { freePort } from './processes';
import { withDatabase } from './urls';

/**
 * Once per `npm test`: a PostgreSQL (DATABASE_URL's server, or a throwaway embedded one) and a
 * migrated template database. Each test file clones the template (see database.ts), so files
 * run in parallel without sharing rows.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-test-'));
    fs.chmodSync(dataDir, 0o755); // the postgres OS user must reach its data directory inside
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    (globalThis as { mosisTestServer?: { server: EmbeddedPostgres; dataDir: string } }).mosisTestServer = { server, dataDir };
    adminUrl = server.adminUrl;
  }

  const template = `mosis_test_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const dataSource = createDataSource({ url: withDatabase(adminUrl, template), pool: loadConfig().db });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();

  process.env.MOSIS_TEST_ADMIN_URL = adminUrl;
  process.env.MOSIS_TEST_TEMPLATE = template;
}
