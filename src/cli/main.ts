import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { AppError } from '../graphql/errors';
import { type Command, UsageError } from './command';
import { grantRole } from './commands/grant-role';
import { migrate, migrateRevert } from './commands/migrate';
import { backup } from './commands/backup';
import { monitor } from './commands/monitor';
import { restore } from './commands/restore';
import { partitions } from './commands/partitions';

const commands: Command[] = [migrate, migrateRevert, grantRole, backup, restore, monitor, partitions];

function usage(): string {
  const lines = commands.map((c) => `  npx mosis ${c.usage.padEnd(44)} ${c.summary}`);
  return ['Usage:', ...lines, '', 'Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (default ./.data).'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || ['help', '--help', '-h'].includes(name)) {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`mosis: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config, (message) => console.error(message));
  try {
    await command.run(args, { database, config });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`mosis: ${error.message}\n  npx mosis ${command.usage}`);
      return 2;
    }
    if (error instanceof AppError) {
      console.error(`mosis: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`mosis: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
