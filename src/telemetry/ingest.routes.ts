import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';
import type { Config } from '../config';
import { AppError, forbidden, unauthenticated } from '../graphql/errors';
import type { Services } from '../services';
import { batchRejected, type IngestResult, type ItemError } from './ingest-batch';

/**
 * POST /v1/telemetry and POST /v1/crashes. Inside their own Fastify scope, so the NDJSON parser,
 * the body limit and the `{"error": …}` error bodies apply to these routes only.
 *
 * Order of checks: the credential (401/403) before the body is even read; then the body's size
 * (413) and syntax (400); then app ownership (403); then every item (400). Nothing is stored
 * unless all pass, and 202 is sent only once the batch is committed.
 */
export function registerIngestRoutes(app: FastifyInstance, { services, config }: { services: Services; config: Config }): void {
  const maxBytes = config.telemetry.ingestMaxBytes;

  app.register(async (scope) => {
    const principals = new WeakMap<FastifyRequest, Principal>();

    scope.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseNdjson(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });

    scope.addHook('onRequest', async (request) => {
      const principal = await authenticateIngestKey(services, request.headers.authorization);
      // Before the body is read: a limited batch costs neither parsing nor storage.
      await services.rateLimits.countIngestBatch(principal);
      principals.set(request, principal);
    });

    scope.setErrorHandler((error: FastifyError | AppError, request, reply) => sendError(error, request, reply, maxBytes));

    const ingest = (store: (principal: Principal, request: FastifyRequest) => Promise<IngestResult>) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const result = await store(principals.get(request)!, request);
        return reply.code(202).send(result);
      };

    scope.post('/v1/telemetry', { bodyLimit: maxBytes }, ingest((principal, request) =>
      services.telemetry.ingest(principal, request.body, (message) => request.log.warn(message)),
    ));
    scope.post('/v1/crashes', { bodyLimit: maxBytes }, ingest((principal, request) => services.crashes.ingest(principal, request.body)));
  });
}

/** Only API keys ingest: devices must never hold a developer's session. */
async function authenticateIngestKey(services: Services, authorization: string | undefined): Promise<Principal> {
  const principal = await services.auth.authenticate(authorization);
  if (!principal) throw unauthenticated('Send an API key with the telemetry:write permission as "Authorization: Bearer mk_…".');
  if (principal.credential.kind !== 'apiKey') {
    throw forbidden('Ingestion takes an API key, not a session token: create one with the telemetry:write permission (createApiKey) and send that.');
  }
  if (!principal.scopes.has('telemetry:write')) throw forbidden('This API key lacks the "telemetry:write" permission.');
  return principal;
}

/** One JSON value per line; blank lines are skipped. Every malformed line is reported, by item index and line number. */
function parseNdjson(body: string): unknown[] {
  const items: unknown[] = [];
  const errors: (ItemError & { line: number })[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      items.push(JSON.parse(line));
    } catch (error) {
      errors.push({ index: items.length, line: i + 1, reason: `line ${i + 1} is not valid JSON: ${(error as Error).message}` });
      items.push(undefined);
    }
  }
  if (errors.length > 0) {
    throw batchRejected(`${errors.length} NDJSON line${errors.length === 1 ? ' is' : 's are'} not valid JSON; nothing was stored.`, errors);
  }
  return items;
}

function sendError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply, maxBytes: number) {
  if (error instanceof AppError) {
    const { errors, retryAfter } = error.extensions as { errors?: ItemError[]; retryAfter?: number };
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.code(error.httpStatus).send({ error: error.message, ...(errors?.length ? { errors } : {}) });
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.code(413).send({ error: `The body exceeds the ${maxBytes}-byte limit (INGEST_MAX_BYTES); send smaller batches.` });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return reply.code(415).send({ error: 'Send Content-Type: application/json (a JSON array) or application/x-ndjson (one item per line).' });
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'ingestion failed');
    return reply.code(500).send({ error: 'Internal server error; nothing was acknowledged, so the batch can be retried.' });
  }
  return reply.code(status).send({ error: error.message });
}
