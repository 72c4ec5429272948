import 'reflect-metadata';
import pino from 'pino';
import { loadConfig } from './config';
import { migrate, openDatabase } from './db/database';
import { buildApiSchema } from './graphql/schema';
import { createHttpServer } from './http/server';
import { createServices } from './services';
import { loadDeviceIdHashKey } from './telemetry/device-id';
import { startPartitionMaintenance } from './telemetry/partitions';
import { startReleaseUpkeep } from './releases/release-upkeep';
import { startWebhookWorker, WEBHOOK_POLL_MS } from './webhooks/webhook-worker';

/** `npm start`: database (embedded unless DATABASE_URL), migrations, then HTTP until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  // JSON lines like Fastify's request logs. Start, ready, draining and stopped are always worth a
  // line: a quieter LOG_LEVEL (warn, error) quiets requests, not these; only `silent` drops them.
  const logger = pino({ level: ['trace', 'debug', 'silent'].includes(config.logLevel) ? config.logLevel : 'info' });
  const log = (message: string) => logger.info(message);
  // Before anything starts: in production a missing DEVICE_ID_HASH_KEY refuses to start here.
  loadDeviceIdHashKey(config);

  const database = await openDatabase(config, log);
  const applied = await migrate(database.dataSource);
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);

  const services = createServices(database.dataSource, config);
  const partitionMaintenance = await startPartitionMaintenance(services.partitions, log);
  const releaseUpkeep = startReleaseUpkeep(services.rollouts, log, config.releases.upkeepIntervalMs);
  const webhookWorker = startWebhookWorker(services.webhookDispatcher, log, WEBHOOK_POLL_MS);
  const app = await createHttpServer({ config, db: database.dataSource, schema: await buildApiSchema(), services });
  await app.listen({ host: config.host, port: config.port });
  log(`Mosis API ready: http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/graphql`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: draining requests`);
    const deadline = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    partitionMaintenance.stop();
    try {
      await app.close();
      await releaseUpkeep.stop();
      await webhookWorker.stop();
      await database.close();
      log('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  pino().fatal({ err: error }, 'startup failed');
  process.exit(1);
});
