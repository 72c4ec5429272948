import 'reflect-metadata';
import { loadConfig } from './config';
import { migrate, openDatabase } from './db/database';
import { buildApiSchema } from './graphql/schema';
import { createHttpServer } from './http/server';
import { createServices } from './services';

/** `npm start`: database (embedded unless DATABASE_URL), migrations, then HTTP until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = (message: string) => console.log(JSON.stringify({ level: 'info', time: Date.now(), msg: message }));

  const database = await openDatabase(config, log);
  const applied = await migrate(database.dataSource);
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);

  const services = createServices(database.dataSource, config);
  const app = await createHttpServer({ config, db: database.dataSource, schema: await buildApiSchema(), services });
  await app.listen({ host: config.host, port: config.port });
  log(`Mosis API ready: http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/graphql`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: draining requests`);
    const deadline = setTimeout(() => {
      console.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    try {
      await app.close();
      await database.close();
      log('stopped');
      process.exit(0);
    } catch (error) {
      console.error(error);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
