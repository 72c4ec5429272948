import 'reflect-metadata';
import pino from 'pino';
import { ConfigError, loadConfig } from './config';
import { migrate, openDatabase } from './db/database';
import { buildApiSchema, SQL_RENDERINGS } from './graphql/schema';
import { logSerializers } from './http/log-serializers';
import { createHttpServer } from './http/server';
import { Lifecycle } from './lifecycle';
import { logStream } from './logging';
import { createServices } from './services';
import { loadDeviceIdHashKey } from './telemetry/device-id';
import { startPartitionMaintenance } from './telemetry/partitions';
import { startReleaseUpkeep } from './releases/release-upkeep';
import { startWebhookWorker, WEBHOOK_POLL_MS } from './webhooks/webhook-worker';

/**
 * `npm start`: database (embedded unless DATABASE_URL), migrations, then HTTP until SIGTERM/SIGINT.
 * Whatever way it ends (a signal, while starting too; a failed step; an uncaught error), what was
 * started is stopped again, newest first.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  // Start, ready, draining and stopped are always worth a line: a quieter LOG_LEVEL (warn, error)
  // quiets requests, not these; only `silent` drops them.
  const options = { level: ['trace', 'debug', 'silent'].includes(config.logLevel) ? config.logLevel : 'info', serializers: logSerializers };
  const stream = logStream(config);
  const logger = stream ? pino(options, stream) : pino(options);
  const log = (message: string) => logger.info(message);
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs);
  lifecycle.install();
  try {
    // Before anything starts: in production a missing DEVICE_ID_HASH_KEY refuses to start here.
    loadDeviceIdHashKey(config);

    const database = await lifecycle.start('database', () => openDatabase(config, log), (db) => db.close());
    const applied = await lifecycle.start('migrations', () => migrate(database.dataSource));
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);

    const services = createServices(database.dataSource, config);
    await lifecycle.start('rate-limit store', () => services.rateLimits.ready(), () => services.rateLimits.close());
    services.rateLimits.onStoreTrouble((message) => logger.warn(message));
    await lifecycle.start('partition maintenance', () => startPartitionMaintenance(services.partitions, log), (m) => m.stop());
    await lifecycle.start('release upkeep', async () => startReleaseUpkeep(services.rollouts, log, config.releases.upkeepIntervalMs), (u) => u.stop());
    await lifecycle.start('webhook deliveries', async () => startWebhookWorker(services.webhookDispatcher, log, WEBHOOK_POLL_MS), (w) => w.stop());
    const app = await lifecycle.start(
      'HTTP server',
      async () => createHttpServer({ config, db: database.dataSource, schema: await buildApiSchema(), renderings: SQL_RENDERINGS, services }),
      (server) => server.close(),
    );
    await app.listen({ host: config.host, port: config.port });
    lifecycle.ready();
    log(`Mosis API ready: http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/graphql`);
  } catch (error) {
    await lifecycle.startFailed(error);
  }
}

main().catch((error) => {
  // A bad environment is the operator's to fix: say what is wrong, without a stack trace.
  if (error instanceof ConfigError) process.stderr.write(`mosis: ${error.message}\n`);
  else pino({ serializers: logSerializers }).fatal({ err: error }, 'startup failed');
  process.exit(1);
});
