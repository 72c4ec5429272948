import { Command } from 'commander';
import { EXIT_FAILURE, withDatabase } from '../command';

interface MigrationRow {
  name: string;
}

/** Like `prisma migrate status`: what the database has applied, what this build would apply, and drift. */
export const migrateStatus = () =>
  new Command('migrate:status')
    .description('list applied and pending migrations (exit code 1 while any is pending)')
    .action(() =>
      withDatabase(async ({ database }) => {
        const db = database.dataSource;
        const [{ tableExists }] = await db.query(`SELECT to_regclass('migrations') IS NOT NULL AS "tableExists"`);
        const applied: MigrationRow[] = tableExists
          ? await db.query(`SELECT name FROM migrations ORDER BY id`)
          : [];
        const appliedNames = new Set(applied.map((m) => m.name));
        const known = db.migrations.map((m) => m.name ?? m.constructor.name);
        const pending = known.filter((name) => !appliedNames.has(name));
        const unknown = applied.filter((m) => !known.includes(m.name));

        const [{ name, version }] = await db.query(
          `SELECT current_database() AS name, current_setting('server_version') AS version`,
        );
        console.log(`database "${name}" (PostgreSQL ${version}): ${applied.length} applied, ${pending.length} pending`);
        console.log(`\nApplied (${applied.length}):`);
        console.log(applied.length ? applied.map((m) => `  ${m.name}`).join('\n') : '  (none)');
        console.log(`\nPending (${pending.length}):`);
        console.log(pending.length ? pending.map((m) => `  ${m}`).join('\n') : '  (none)');
        if (unknown.length) {
          console.log(`\nApplied but not in this build (${unknown.length}): the database is newer than this checkout`);
          console.log(unknown.map((m) => `  ${m.name}`).join('\n'));
        }
        if (pending.length) {
          console.log(`\n${pending.length} migration${pending.length === 1 ? '' : 's'} pending: run \`npx mosis migrate\``);
          process.exitCode = EXIT_FAILURE;
        } else {
          console.log('\nthe database schema is up to date');
        }
      }),
    );
