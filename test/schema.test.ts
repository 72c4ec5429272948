import fs from 'node:fs';
import { SCHEMA_FILE } from '../src/graphql/emit-schema';
import { buildApiSchema, printApiSchema } from '../src/graphql/schema';

it('schema.graphql is what the resolvers produce (run `npm run schema:emit` after changing the API)', async () => {
  const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
  expect(printApiSchema(await buildApiSchema())).toBe(committed);
});
