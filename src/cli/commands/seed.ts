import { Command, InvalidArgumentError, Option } from 'commander';
import { SCALE_NAMES, SCALES, type ScaleName } from '../../seed/scales';
import { withDatabase } from '../command';
import { startProgress } from '../progress';

/** The start of the UTC day given as YYYY-MM-DD; anything else is a command-line mistake. */
function parseDay(value: string): Date {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00.000Z`) : null;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('give a date as YYYY-MM-DD, e.g. 2026-11-01');
  }
  return day;
}

const today = () => parseDay(new Date().toISOString().slice(0, 10));

const describe = (name: ScaleName) => {
  const s = SCALES[name];
  return `${name}: ${s.developers.toLocaleString('en-US')} developers, ${s.apps.toLocaleString('en-US')} apps, ${s.telemetryEvents.toLocaleString('en-US')} events`;
};

export const seed = () =>
  new Command('seed')
    .description('fill an empty database with realistic, deterministic test data (through COPY)')
    .addOption(new Option('--scale <scale>', 'how much data').choices(SCALE_NAMES).makeOptionMandatory())
    .option('--until <YYYY-MM-DD>', 'the UTC day that ends the generated history (default: today); same day and scale, same rows', parseDay)
    .option('--force', 'delete everything in a database that already holds data, then seed it')
    .addHelpText('after', `\nScales:\n${SCALE_NAMES.map((n) => `  ${describe(n)}`).join('\n')}\n` +
      'Telemetry covers the 90 days before --until; serve it with TELEMETRY_RETENTION_DAYS of at least the days since.')
    .action((options: { scale: ScaleName; until?: Date; force?: boolean }) =>
      withDatabase(async ({ database }) => {
        const { seedDatabase } = await import('../../seed/seed.service');
        const until = options.until ?? today();
        console.error(`seeding scale "${options.scale}" up to ${until.toISOString().slice(0, 10)}`);
        const result = await seedDatabase(database.dataSource, database.url, { scale: options.scale, until, force: Boolean(options.force) }, (total) => {
          const progress = startProgress({ total, unit: 'rows', plainEveryMs: 5_000 });
          return { advance: (rows, table) => progress.advance(rows, table), stop: () => progress.stop() };
        });
        const width = Math.max(...Object.keys(result.rows).map((t) => t.length));
        for (const [table, rows] of Object.entries(result.rows)) console.log(`${table.padEnd(width)}  ${rows.toLocaleString('en-US').padStart(12)}`);
        console.log(`seeded in ${result.seconds.toFixed(1)} s; database size ${result.databaseSize}`);
        console.log(`same rows again: npx mosis seed --scale ${options.scale} --until ${until.toISOString().slice(0, 10)} (into an empty database)`);
      }),
    );
