import { type DocumentNode, Kind, type OperationDefinitionNode, print } from 'graphql';

/**
 * Persisted operations are identified by the SHA-256 of their text, as Apollo's automatic persisted
 * queries (`extensions.persistedQuery.sha256Hash`) define it. The client and the manifest both get the
 * text from `operationText`, so the hash a client sends is the hash the manifest lists.
 */

const texts = new WeakMap<DocumentNode, string>();

/** The exact query string sent for a document (printed once, then remembered). */
export function operationText(document: DocumentNode): string {
  let text = texts.get(document);
  if (text === undefined) {
    text = print(document);
    texts.set(document, text);
  }
  return text;
}

/** Web Crypto rather than node:crypto, so the SDK also runs in browsers. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function operationOf(document: DocumentNode): OperationDefinitionNode | undefined {
  return document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
}

/** hash → text of every operation among `documents` (fragment documents are skipped), ordered by operation name. */
export async function buildPersistedManifest(documents: Record<string, unknown>): Promise<Record<string, string>> {
  const named = Object.values(documents)
    .filter((value): value is DocumentNode => (value as DocumentNode | undefined)?.kind === Kind.DOCUMENT)
    .flatMap((document) => {
      const name = operationOf(document)?.name?.value;
      return name ? [{ name, document }] : [];
    })
    // Code-unit order, not localeCompare: the file must not depend on the machine's locale.
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const manifest: Record<string, string> = {};
  for (const { document } of named) {
    const text = operationText(document);
    manifest[await sha256Hex(text)] = text;
  }
  return manifest;
}
