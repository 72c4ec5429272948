import type { Config } from '../config';
import type { Database } from '../db/database';

/** One `npx mosis <name>` command. Commands live in ./commands, one file each, listed in main.ts. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(args: string[], context: { database: Database; config: Config }): Promise<void>;
}

/** Wrong arguments: main prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {}
