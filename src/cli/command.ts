import type { Command } from 'commander';
import type { Config } from '../config';
import type { Database } from '../db/database';

/**
 * One `npx mosis <name>` command: a file in ./commands exports a function that builds its
 * commander definition (arguments, options, help), listed in main.ts. Definitions import nothing
 * heavy; the work, and whatever it needs (TypeORM, services), is loaded only when that command runs,
 * so `--help`, `--version` and argument errors answer at once.
 */
export type CommandFactory = () => Command;

export interface CommandContext {
  database: Database;
  config: Config;
}

/** Exit codes: 1 the work failed, 2 the command line was wrong (as commander, git and prisma do). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Runs `work` with the database open (DATABASE_URL, or the embedded server under DATA_DIR), and
 * closes it after. Arguments were checked by commander before this is reached; nothing connects
 * or starts PostgreSQL for a command line that is wrong.
 */
export async function withDatabase(work: (context: CommandContext) => Promise<void>): Promise<void> {
  await import('reflect-metadata'); // before the entities' decorators run
  const [{ loadConfig }, { openDatabase }] = await Promise.all([import('../config'), import('../db/database')]);
  const config = loadConfig();
  const database = await openDatabase(config, (message) => console.error(message));
  try {
    await work({ database, config });
  } finally {
    await database.close();
  }
}
