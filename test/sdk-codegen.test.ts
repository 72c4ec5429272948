import fs from 'node:fs';
import path from 'node:path';
import { PERSISTED_OPERATIONS_FILE, persistedOperationsJson } from '../sdk/write-persisted-operations';
import { ROOT, spawnNode } from './helpers/processes';

/** `npm run codegen` output is committed; these fail when it is stale. */
it('sdk/generated/graphql.ts is what codegen.yml makes of schema.graphql and sdk/operations (run `npm run codegen`)', async () => {
  // --check generates in memory and exits 1, naming the files, when any differs from the committed one.
  const check = spawnNode('node_modules/.bin/graphql-codegen', ['--config', 'codegen.yml', '--check'], {});
  const { code } = await check.exited;
  expect(check.output()).not.toContain('stale files');
  expect(code).toBe(0);
});

it('sdk/generated/persisted-operations.json lists the generated operations (run `npm run codegen`)', async () => {
  expect(await persistedOperationsJson()).toBe(fs.readFileSync(path.join(ROOT, PERSISTED_OPERATIONS_FILE), 'utf8'));
});
