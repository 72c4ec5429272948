import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { type CommandContext, withDatabase } from '../command';
import { startProgress } from '../progress';

/** pg_dump --verbose announces each table's data as: dumping contents of table "public.apps" */
const DUMPING_TABLE = /dumping contents of table "([^"]+)"/;

export const backup = () =>
  new Command('backup')
    .description('write the whole database to <file> (pg_dump custom format)')
    .argument('<file>', 'the backup file to create; an existing file is never overwritten')
    .action(async (file: string) => {
      const target = path.resolve(file);
      if (fs.existsSync(target)) {
        throw new Error(`${target} already exists; backups never overwrite one another, pick a new name`);
      }
      if (!fs.existsSync(path.dirname(target))) throw new Error(`directory ${path.dirname(target)} does not exist`);
      await withDatabase((context) => writeBackup(file, target, context));
    });

async function writeBackup(file: string, target: string, { database, config }: CommandContext): Promise<void> {
  const { findPgTool, libpqConnection, runPgTool, serverVersion } = await import('../../db/pg-tools');

  const server = await serverVersion(database.dataSource);
  const pgDump = await findPgTool('pg_dump', server.major, config.pgBinDir);
  const [{ tables }] = await database.dataSource.query(
    `SELECT count(*)::int AS tables FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  console.error(`backing up with ${pgDump.path} (${pgDump.version}) from PostgreSQL ${server.version}`);

  // Written under a temporary name and renamed at the end: a file with the final name is complete.
  const partial = `${target}.partial`;
  const started = Date.now();
  let dumped = 0;
  const progress = startProgress({ total: tables, unit: 'tables' });
  const { dbname, env } = libpqConnection(database.url);
  try {
    await runPgTool(pgDump, ['--format=custom', '--verbose', `--file=${partial}`, `--dbname=${dbname}`], {
      env: { ...env, PGAPPNAME: 'mosis backup' },
      onLine: (line) => {
        const table = DUMPING_TABLE.exec(line)?.[1];
        if (table) progress.update(++dumped, table);
        else if (/error|warning/i.test(line)) console.error(line);
      },
    });
    fs.renameSync(partial, target);
  } finally {
    progress.stop();
    fs.rmSync(partial, { force: true });
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`backup written: ${target} (${formatBytes(fs.statSync(target).size)}, ${dumped} tables, ${seconds} s)`);
  console.log(`restore it into an empty database with: npx mosis restore ${file}`);
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
