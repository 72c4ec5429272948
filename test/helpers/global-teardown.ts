import fs from 'node:fs';
import { Client } from 'pg';
import type { EmbeddedPostgres } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.MOSIS_TEST_ADMIN_URL;
  const embedded = (globalThis as { mosisTestServer?: { server: EmbeddedPostgres; dataDir: string } }).mosisTestServer;
  if (adminUrl) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    // Test files drop their own databases; this sweeps up after files that crashed.
    const { rows } = await admin.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'mosis_test_%'`,
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  }
  if (embedded) {
    await embedded.server.stop();
    fs.rmSync(embedded.dataDir, { recursive: true, force: true });
  }
}
