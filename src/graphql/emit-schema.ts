// `npm run schema:emit`: writes schema.graphql from the resolvers. A test fails while it is stale.
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';
import { buildApiSchema, printApiSchema } from './schema';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema.graphql');

if (require.main === module) {
  buildApiSchema()
    .then((schema) => {
      fs.writeFileSync(SCHEMA_FILE, printApiSchema(schema));
      console.log(`wrote ${SCHEMA_FILE}`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
