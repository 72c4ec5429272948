// The DataSource the TypeORM CLI uses (`npx typeorm -d dist/ormconfig.js migration:show`).
// It needs DATABASE_URL; `npx mosis migrate` also handles the embedded database.
import 'reflect-metadata';
import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('Set DATABASE_URL to use the TypeORM CLI (or run `npx mosis migrate`).');

export default createDataSource({ url: config.databaseUrl, pool: config.db });
