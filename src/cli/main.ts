import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase, type Database } from '../db/database';
import { DeveloperService } from '../developers/developer.service';
import { AppError } from '../graphql/errors';
import { ROLES } from '../developers/role';

interface Command {
  usage: string;
  summary: string;
  run(args: string[], database: Database): Promise<void>;
}

const commands: Record<string, Command> = {
  migrate: {
    usage: 'migrate',
    summary: 'apply every pending migration',
    async run(_args, { dataSource }) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'already up to date');
    },
  },
  'migrate:revert': {
    usage: 'migrate:revert',
    summary: 'undo the most recently applied migration',
    async run(_args, { dataSource }) {
      const [last] = await dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
      if (!last) {
        console.log('no migration to revert');
        return;
      }
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log(`reverted ${last.name}`);
    },
  },
  'grant-role': {
    usage: `grant-role <email> <${ROLES.join('|')}>`,
    summary: "change a developer's role (takes effect on their next request)",
    async run([email, role], { dataSource }) {
      if (!email || !role) throw new UsageError('grant-role needs an email and a role');
      const developer = await new DeveloperService(dataSource).grantRole(email, role);
      console.log(`${developer.email} is now ${developer.role}`);
    },
  },
};

class UsageError extends Error {}

function usage(): string {
  const lines = Object.values(commands).map((c) => `  npx mosis ${c.usage.padEnd(40)} ${c.summary}`);
  return ['Usage:', ...lines, '', 'Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (default ./.data).'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`mosis: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config, (message) => console.error(message));
  try {
    await command.run(args, database);
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
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
