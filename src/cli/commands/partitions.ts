import { Command } from 'commander';
import { withDatabase } from '../command';

export const partitions = () =>
  new Command('partitions')
    .description('create telemetry partitions ahead, drop those past TELEMETRY_RETENTION_DAYS')
    .action(() =>
      withDatabase(async ({ database, config }) => {
        const { describeMaintenance, PartitionManager } = await import('../../telemetry/partitions');
        const result = await new PartitionManager(database.dataSource, config.telemetry).maintain();
        const lines = describeMaintenance(result);
        console.log(lines.length ? lines.join('\n') : 'partitions are up to date');
      }),
    );
