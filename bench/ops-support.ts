// Shared by the operations benchmarks (bench/ops-*.ts): a throwaway Debian PostgreSQL 15 and PgBouncer
// started by the project's own scripts, so every figure comes from the setup docs/OPERATIONS.md describes.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { PROJECT_ROOT } from '../src/paths';

const run = promisify(execFile);

export interface Started {
  url: string;
  stop(): Promise<void>;
}

async function script(name: string, args: string[]): Promise<string> {
  const { stdout } = await run('bash', [path.join(PROJECT_ROOT, 'scripts', name), ...args], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** A short directory under /tmp (unix socket paths are limited), reachable by the postgres user. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export async function startCluster(): Promise<Started> {
  const dir = path.join(scratchDir('ops-bench-'), 'pg');
  const url = await script('pg-cluster.sh', ['start', dir]);
  return {
    url,
    stop: async () => {
      await script('pg-cluster.sh', ['stop', dir]);
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    },
  };
}

export async function startPgBouncer(upstreamUrl: string): Promise<Started> {
  const dir = path.join(scratchDir('ops-bouncer-'), 'pgb');
  const url = await script('pgbouncer.sh', ['start', dir, upstreamUrl]);
  return {
    url,
    stop: async () => {
      await script('pgbouncer.sh', ['stop', dir]);
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function sql<T = any>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** CREATE DATABASE on the server of `adminUrl`, migrated like production; returns its URL. */
export async function migratedDatabase(adminUrl: string, name: string): Promise<string> {
  await sql(adminUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(adminUrl, name);
  const dataSource = createDataSource({ url, pool: loadConfig().db });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  return url;
}

export const seconds = (ms: number) => (ms / 1000).toFixed(1);
export const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
