// `npm run schema:emit`: writes schema.graphql and docs/API.md's reference from the resolvers.
// Tests fail while either is stale.
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';
import { apiDocument } from './api-docs';
import { buildApiSchema, printApiSchema } from './schema';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema.graphql');
export const API_DOCS_FILE = path.join(PROJECT_ROOT, 'docs', 'API.md');

if (require.main === module) {
  buildApiSchema()
    .then((schema) => {
      fs.writeFileSync(SCHEMA_FILE, printApiSchema(schema));
      fs.writeFileSync(API_DOCS_FILE, apiDocument(fs.readFileSync(API_DOCS_FILE, 'utf8'), schema));
      console.log(`wrote ${SCHEMA_FILE} and ${API_DOCS_FILE}`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
