import fs from 'node:fs';
import { SCHEMA_FILE } from '../src/graphql/emit-schema';
import { getMetadataStorage } from 'type-graphql';
import { buildApiSchema, printApiSchema } from '../src/graphql/schema';

it('schema.graphql is what the resolvers produce (run `npm run schema:emit` after changing the API)', async () => {
  const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
  expect(printApiSchema(await buildApiSchema())).toBe(committed);
});

it('every object type reads plain fields straight off the object (simpleResolvers: no per-field wrapper to call)', async () => {
  await buildApiSchema();
  const wrapped = getMetadataStorage().objectTypes.filter((type) => !type.simpleResolvers).map((type) => type.name);
  expect(wrapped).toEqual([]);
});
