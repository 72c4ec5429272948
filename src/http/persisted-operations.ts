import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { PROJECT_ROOT } from '../paths';
import { wantsGraphiql } from './graphiql';

/**
 * The allow-list of PERSISTED_ONLY=true: SHA-256 of each operation's text → the text, written by
 * `npm run codegen` (sdk/write-persisted-operations.ts) with the same hash Apollo's automatic
 * persisted queries use.
 */
const PERSISTED_OPERATIONS_FILE = path.join(PROJECT_ROOT, 'sdk', 'generated', 'persisted-operations.json');

/** Read once at startup; a missing or malformed manifest stops the server rather than refusing every request. */
function loadPersistedOperationHashes(): ReadonlySet<string> {
  const manifest: unknown = JSON.parse(fs.readFileSync(PERSISTED_OPERATIONS_FILE, 'utf8'));
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error(`${PERSISTED_OPERATIONS_FILE} must be a JSON object of sha256 → operation text`);
  }
  return new Set(Object.keys(manifest));
}

interface GraphQLParams {
  query?: unknown;
  extensions?: unknown;
}

/** GET carries the parameters in the query string, with `extensions` as a JSON string. */
function paramsOf(request: FastifyRequest): GraphQLParams {
  if (request.method !== 'GET') return (request.body ?? {}) as GraphQLParams;
  const { query, extensions } = (request.query ?? {}) as Record<string, unknown>;
  try {
    return { query, extensions: typeof extensions === 'string' ? JSON.parse(extensions) : undefined };
  } catch {
    return { query };
  }
}

/**
 * What identifies the requested operation: the SHA-256 of its text when the text is sent (Apollo
 * refuses a different hash sent beside it), else the APQ hash alone. A hash alone can be trusted:
 * Apollo resolves it only to a text sent earlier with it, in a request that passed this same check.
 */
function operationHash({ query, extensions }: GraphQLParams): string | undefined {
  if (typeof query === 'string') return createHash('sha256').update(query).digest('hex');
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * A preHandler for /graphql when PERSISTED_ONLY=true outside development: operations not in the
 * manifest (introspection included) get FORBIDDEN. Development keeps accepting anything so GraphiQL
 * stays usable. Returns undefined when there is nothing to enforce.
 */
export function persistedOnlyGuard(config: Config, log: FastifyBaseLogger) {
  if (!config.persistedOnly) return undefined;
  if (config.nodeEnv === 'development') {
    log.warn('PERSISTED_ONLY=true is not enforced in development, so GraphiQL keeps working');
    return undefined;
  }
  const allowed = loadPersistedOperationHashes();
  return async function acceptOnlyPersistedOperations(request: FastifyRequest, reply: FastifyReply) {
    // The GraphiQL page itself carries no operation (and in production its introspection is refused).
    if (request.method === 'OPTIONS' || wantsGraphiql(request)) return;
    const hash = operationHash(paramsOf(request));
    if (hash !== undefined && allowed.has(hash)) return;
    return reply.code(403).send({
      errors: [{
        message: 'Only persisted operations are accepted here: send an operation from the SDK\'s persisted-operations manifest.',
        extensions: { code: 'FORBIDDEN' },
      }],
    });
  };
}
