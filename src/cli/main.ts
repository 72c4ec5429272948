import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { PROJECT_ROOT } from '../paths';
import { type CommandFactory, EXIT_FAILURE, EXIT_USAGE } from './command';
import { backup } from './commands/backup';
import { grantRole } from './commands/grant-role';
import { migrate, migrateRevert } from './commands/migrate';
import { migrateStatus } from './commands/migrate-status';
import { monitor } from './commands/monitor';
import { partitions } from './commands/partitions';
import { restore } from './commands/restore';
import { seed } from './commands/seed';

const commands: CommandFactory[] = [migrate, migrateRevert, migrateStatus, grantRole, backup, restore, monitor, partitions, seed];

function buildProgram(): Command {
  const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const program = new Command('mosis')
    .description('Operate the Mosis platform: migrations, roles, backups, health, test data.')
    .version(version, '-V, --version', 'print the version of this checkout')
    .usage('<command> [arguments] [options]')
    // Throw instead of exiting, so every command-line mistake leaves with EXIT_USAGE (below).
    .exitOverride()
    .showHelpAfterError()
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nUses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (default ./.data).\n' +
        'Run `npx mosis <command> --help` for a command\'s arguments and options.',
    );
  for (const build of commands) program.addCommand(build().copyInheritedSettings(program));
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    // Commander already printed what was wrong (with a "did you mean" for a misspelt command).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    console.error(`mosis: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
