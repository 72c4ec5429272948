import { describeMaintenance, PartitionManager } from '../../telemetry/partitions';
import type { Command } from '../command';

export const partitions: Command = {
  name: 'partitions',
  usage: 'partitions',
  summary: 'create telemetry partitions ahead, drop those past TELEMETRY_RETENTION_DAYS',
  async run(_args, { database, config }) {
    const result = await new PartitionManager(database.dataSource, config.telemetry).maintain();
    const lines = describeMaintenance(result);
    console.log(lines.length ? lines.join('\n') : 'partitions are up to date');
  },
};
