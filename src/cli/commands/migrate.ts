import { Command } from 'commander';
import { withDatabase } from '../command';

export const migrate = () =>
  new Command('migrate').description('apply every pending migration').action(() =>
    withDatabase(async ({ database }) => {
      const applied = await database.dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'already up to date');
    }),
  );

export const migrateRevert = () =>
  new Command('migrate:revert').description('undo the most recently applied migration').action(() =>
    withDatabase(async ({ database }) => {
      const [last] = await database.dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
      if (!last) {
        console.log('no migration to revert');
        return;
      }
      await database.dataSource.undoLastMigration({ transaction: 'each' });
      console.log(`reverted ${last.name}`);
    }),
  );
