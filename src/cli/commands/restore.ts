import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { DataSource } from 'typeorm';
import type { FoundTool } from '../../db/pg-tools';
import { type CommandContext, withDatabase } from '../command';
import { startProgress } from '../progress';

/** One --verbose line per archive entry restored, e.g. `creating TABLE "public.apps"`, `processing data for table …`. */
const RESTORE_STEP = /^pg_restore: (creating|processing data|executing|setting)/;

export const restore = () =>
  new Command('restore')
    .description('load a backup from `mosis backup` into an empty database')
    .argument('<file>', 'a file written by `npx mosis backup`')
    .action(async (file: string) => {
      const source = path.resolve(file);
      if (!fs.existsSync(source)) throw new Error(`${source} does not exist`);
      await withDatabase((context) => restoreBackup(file, source, context));
    });

async function restoreBackup(file: string, source: string, { database, config }: CommandContext): Promise<void> {
  const { findPgTool, libpqConnection, runPgTool, serverVersion } = await import('../../db/pg-tools');
  const db = database.dataSource;
  const server = await serverVersion(db);
  const pgRestore = await findPgTool('pg_restore', server.major, config.pgBinDir);
  const archive = await readArchive(pgRestore, source);
  if (archive.sourceMajor > server.major) {
    throw new Error(
      `${file} was dumped from PostgreSQL ${archive.sourceMajor}, and this server runs ${server.version}: ` +
        `a backup restores into the same major version or a newer one. Restore it into PostgreSQL ${archive.sourceMajor} or later.`,
    );
  }
  await ensureEmpty(db);

  const started = Date.now();
  let step = 0;
  const { dbname, env } = libpqConnection(database.url);
  console.error(`restoring ${archive.entries} entries with ${pgRestore.path} (${pgRestore.version}) into PostgreSQL ${server.version}`);
  const progress = startProgress({ total: archive.entries, unit: 'entries' });
  // One transaction: on any error nothing is left behind, and the database is still empty for a retry.
  // --no-owner: the roles of the source server need not exist here; everything belongs to our role.
  await runPgTool(
    pgRestore,
    ['--verbose', '--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${dbname}`, source],
    {
      env: { ...env, PGAPPNAME: 'mosis restore' },
      onLine: (line) => {
        if (RESTORE_STEP.test(line)) {
          step = Math.min(step + 1, archive.entries);
          progress.update(step, line.replace(/^pg_restore: /, ''));
        } else if (/error|warning/i.test(line)) {
          console.error(line);
        }
      },
    },
  )
    .catch((error: Error) => {
      throw new Error(`${error.message}\nNothing was restored (the restore runs in one transaction); the database is still empty.`);
    })
    .finally(() => progress.stop());

  // pg_restore does not carry planner statistics over; without them the first queries plan blind.
  // On a large database this outlasts DB_STATEMENT_TIMEOUT_MS, which is meant for API queries.
  console.error('updating planner statistics (ANALYZE)');
  await db.transaction(async (manager) => {
    await manager.query('SET LOCAL statement_timeout = 0');
    await manager.query('ANALYZE');
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`restored ${source} into database "${await currentDatabase(db)}" in ${seconds} s`);
  console.log('if this build has migrations newer than the backup, apply them with: npx mosis migrate');
}

interface ArchiveInfo {
  entries: number;
  /** Major version of the server the backup was taken from. */
  sourceMajor: number;
}

/** Reads the archive's table of contents: proves it is a pg_dump custom archive and sizes the progress count. */
async function readArchive(pgRestore: FoundTool, source: string): Promise<ArchiveInfo> {
  const { runPgTool } = await import('../../db/pg-tools');
  let listing: string;
  try {
    listing = await runPgTool(pgRestore, ['--list', source]);
  } catch (error) {
    throw new Error(
      `${pgRestore.path} (${pgRestore.version}) cannot read ${source}: ${(error as Error).message}\n` +
        'Is it a file written by `npx mosis backup` (pg_dump custom format)? A backup written by a newer pg_dump ' +
        'needs that version\'s pg_restore: install its client tools (e.g. `apt-get install postgresql-client-16`) ' +
        'or point PG_BIN_DIR at them.',
    );
  }
  const from = /Dumped from database version: (\d+)/.exec(listing);
  return {
    entries: listing.split('\n').filter((line) => line.trim() && !line.startsWith(';')).length,
    sourceMajor: from ? Number(from[1]) : 0,
  };
}

/**
 * Restoring over existing tables would collide with every CREATE, and audit_logs refuses the
 * DELETE or TRUNCATE that would clear it: an empty database is the only safe target.
 */
async function ensureEmpty(db: DataSource): Promise<void> {
  const rows: { relname: string }[] = await db.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY c.relname`,
  );
  if (!rows.length) return;
  const name = await currentDatabase(db);
  const shown = rows.slice(0, 5).map((r) => r.relname).join(', ') + (rows.length > 5 ? ', …' : '');
  throw new Error(
    `database "${name}" is not empty: the public schema already has ${rows.length} tables or sequences (${shown}). ` +
      'restore only loads into an empty database. Either\n' +
      `  - create one and point DATABASE_URL at it:  psql "$DATABASE_URL" -c 'CREATE DATABASE mosis_restored TEMPLATE template0'\n` +
      '    then  DATABASE_URL=<same server>/mosis_restored npx mosis restore <file>, or\n' +
      '  - for the embedded server, stop `npm start` and use a fresh data directory:\n' +
      '    DATA_DIR=./.data-restored npx mosis restore <file>  (then start with that DATA_DIR, or swap the directories)',
  );
}

async function currentDatabase(db: DataSource): Promise<string> {
  const [{ name }] = await db.query('SELECT current_database() AS name');
  return name;
}
