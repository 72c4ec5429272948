// Last step of `npm run codegen` (run compiled, after graphql-codegen): writes the persisted-operations
// manifest from the freshly generated documents, hashing them exactly as the client does.
import fs from 'node:fs';
import path from 'node:path';
import * as documents from './generated/graphql';
import { buildPersistedManifest } from './persisted';

/** Where the server's PERSISTED_ONLY mode reads the allow-list, relative to the repository root. */
export const PERSISTED_OPERATIONS_FILE = path.join('sdk', 'generated', 'persisted-operations.json');

export async function persistedOperationsJson(): Promise<string> {
  return `${JSON.stringify(await buildPersistedManifest(documents), null, 2)}\n`;
}

if (require.main === module) {
  // Compiled to dist/clients/sdk/ and run by npm, whose working directory is the repository root.
  persistedOperationsJson()
    .then((json) => {
      fs.writeFileSync(PERSISTED_OPERATIONS_FILE, json);
      console.log(`wrote ${PERSISTED_OPERATIONS_FILE}`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
