import fs from 'node:fs';
import path from 'node:path';
import { apiDocument, GENERATED_MARKER } from '../src/graphql/api-docs';
import { API_DOCS_FILE } from '../src/graphql/emit-schema';
import { buildApiSchema } from '../src/graphql/schema';
import { ROOT } from './helpers/processes';

it('docs/API.md documents the schema the resolvers build (run `npm run schema:emit` after changing the API)', async () => {
  const committed = fs.readFileSync(API_DOCS_FILE, 'utf8');
  expect(committed).toContain(GENERATED_MARKER);
  expect(apiDocument(committed, await buildApiSchema())).toBe(committed);
});

it('documents every query and mutation with its description', async () => {
  const schema = await buildApiSchema();
  const docs = fs.readFileSync(API_DOCS_FILE, 'utf8');
  for (const root of [schema.getQueryType()!, schema.getMutationType()!]) {
    for (const field of Object.values(root.getFields())) {
      expect(docs).toContain(`### \`${field.name}`);
      if (field.description) expect(docs).toContain(field.description.trim());
    }
  }
});

it('the README and docs link the in-repo reference, not a file outside the repository', () => {
  for (const file of ['README.md', 'docs/API.md', 'docs/OPERATIONS.md', 'docs/DATABASE.md', 'docs/RELEASES.md', 'docs/SECURITY.md']) {
    expect({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }).not.toEqual(
      expect.objectContaining({ text: expect.stringContaining('../shared/') }),
    );
  }
  expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('(docs/API.md)');
});
