import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, getOperationAST, type GraphQLSchema } from 'graphql';
import Negotiator from 'negotiator';
import type { RequestContext } from '../graphql/context';
import type { CompiledOperations } from '../graphql/executor';
import type { OperationCheck } from '../graphql/operation-checks';
import type { SqlAnswers } from '../graphql/sql-answers';
import type { Metrics } from './metrics';

/** Query texts remembered; past this the memory starts over (real clients send a few dozen). */
const MAX_KNOWN_QUERIES = 200;
/** Longer texts are left to Apollo's own (size-bounded) document cache. */
const MAX_KNOWN_QUERY_LENGTH = 8_192;

// Apollo Server's media types and its choice between them (chooseContentTypeForSingleResultResponse).
const APPLICATION_JSON = 'application/json; charset=utf-8';
const SINGLE_RESULT_TYPES = [APPLICATION_JSON, 'application/graphql-response+json; charset=utf-8', 'application/json; callbackSpec=1.0; charset=utf-8'];
const MAX_KNOWN_ACCEPT_HEADERS = 64;
const JSON_BODY = /^application\/json\s*(;|$)/i;

export interface DirectQueryDeps {
  schema: GraphQLSchema;
  operations: CompiledOperations;
  sqlAnswers: SqlAnswers;
  checks: readonly OperationCheck[];
  metrics: Metrics;
  contextOf(request: FastifyRequest, reply: FastifyReply): Promise<RequestContext>;
}

/**
 * The short way through for what a running API mostly serves: a POST of a query text that Apollo
 * Server has already parsed and validated once. Per request it only coerces the variables, runs
 * the operation checks and the compiled operation, and writes the JSON; Apollo's pipeline (plugin
 * hooks, a SHA-256 of the text, media-type negotiation, request objects) costs more than a hot
 * read's own work.
 *
 * It answers only plain successes. Everything else goes to Apollo as before: unknown texts,
 * mutations, GET, persisted-query extensions, failed checks; and an operation that ran into
 * errors is handed over with its outcome (RequestContext.executed), so Apollo reports it exactly
 * as it would have, and nothing runs twice. The context is the request's one context either way.
 */
export function directQueries({ schema, operations, sqlAnswers, checks, metrics, contextOf }: DirectQueryDeps) {
  const known = new Map<string, DocumentNode>();
  const responseTypes = new Map<string, string | null>();

  /** Remembers query texts that passed Apollo's parsing and validation. */
  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ source, document, operation }) {
          if (operation?.operation !== 'query' || source.length > MAX_KNOWN_QUERY_LENGTH || known.has(source)) return;
          if (known.size >= MAX_KNOWN_QUERIES) known.clear();
          known.set(source, document);
        },
      };
    },
  };

  /** Apollo's response media type for an Accept header, or null when it would refuse with 406. */
  const responseTypeFor = (accept: string | undefined): string | null => {
    if (!accept) return APPLICATION_JSON;
    let type = responseTypes.get(accept);
    if (type === undefined) {
      type = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_TYPES) ?? null;
      if (responseTypes.size >= MAX_KNOWN_ACCEPT_HEADERS) responseTypes.clear();
      responseTypes.set(accept, type);
    }
    return type;
  };

  /** The response body if this request was answered here; undefined to leave it to Apollo. */
  async function answer(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const started = process.hrtime.bigint();
    // Apollo's CSRF prevention passes a JSON body without further headers; anything else is its to judge.
    if (request.method !== 'POST' || !JSON_BODY.test(request.headers['content-type'] ?? '')) return undefined;
    const params = plainRequest(request.body);
    const document = params && known.get(params.query);
    const responseType = responseTypeFor(request.headers.accept);
    if (!params || !document || !responseType) return undefined;
    const operation = getOperationAST(document, params.operationName ?? undefined);
    if (operation?.operation !== 'query') return undefined;

    let context: RequestContext;
    try {
      context = await contextOf(request, reply);
      for (const check of checks) check(schema, document, operation, params.variables);
    } catch {
      return undefined;
    }
    // A failed statement is the resolvers' to report: they run the same reads their own way.
    const body = await sqlAnswers.answer(document, operation, params.variables, context).catch((error) => {
      request.log.warn({ err: error }, 'answering in SQL failed; the resolvers answer');
      return undefined;
    });
    if (body !== undefined) {
      metrics.recordDirectAnswer(operation, context, started, 'sql');
      reply.code(200).header('content-type', responseType);
      return body;
    }
    const outcome = operations.run({ document, operation, operationName: operation.name?.value ?? null, variables: params.variables, context });
    const result = await outcome.catch(() => undefined);
    if (!result || result.errors) {
      context.executed = { source: params.query, outcome };
      return undefined;
    }
    metrics.recordDirectAnswer(operation, context, started, 'resolvers');
    reply.code(200).header('content-type', responseType);
    // Apollo's body for a success: {"data":…} and a newline.
    return `{"data":${JSON.stringify(result.data)}}\n`;
  }

  return { plugin, answer };
}

interface PlainRequest {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown>;
}

/** A body Apollo would take as it is: a query text, optional operationName and variables, no extensions. */
function plainRequest(body: unknown): PlainRequest | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const { query, operationName, variables, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string' || extensions != null) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  return { query, operationName: operationName ?? null, variables: (variables ?? {}) as Record<string, unknown> };
}
