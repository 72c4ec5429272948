import type { Command } from '../command';

export const migrate: Command = {
  name: 'migrate',
  usage: 'migrate',
  summary: 'apply every pending migration',
  async run(_args, { database }) {
    const applied = await database.dataSource.runMigrations({ transaction: 'each' });
    console.log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'already up to date');
  },
};

export const migrateRevert: Command = {
  name: 'migrate:revert',
  usage: 'migrate:revert',
  summary: 'undo the most recently applied migration',
  async run(_args, { database }) {
    const [last] = await database.dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
    if (!last) {
      console.log('no migration to revert');
      return;
    }
    await database.dataSource.undoLastMigration({ transaction: 'each' });
    console.log(`reverted ${last.name}`);
  },
};
