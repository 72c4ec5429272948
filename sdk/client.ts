import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLErrorEntry, type IngestItemError, MosisGraphQLError, MosisHttpError, MosisIngestError } from './errors';
import type { CrashReportInput, IngestResult, TelemetryEventInput } from './ingest';
import { operationOf, operationText, sha256Hex } from './persisted';

export interface MosisClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:4000`; the client adds `/graphql` and `/v1/…`. */
  url: string;
  /** A session token from signUp/signIn, or an API key secret (`mk_…`). */
  token?: string;
  /** Defaults to the global fetch (Node 18+, browsers). */
  fetch?: typeof fetch;
  /**
   * Automatic persisted queries: send only the operation's SHA-256 and send its text only when the
   * server answers PERSISTED_QUERY_NOT_FOUND (once per operation and server process). Default false.
   */
  persisted?: boolean;
}

/** Operations without required variables may be called without a variables argument. */
type VariablesArgument<TVariables> = Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export interface MosisClient {
  /** Runs one operation; resolves with its typed `data` or throws MosisGraphQLError / MosisHttpError. */
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): Promise<TResult>;
  /** POST /v1/telemetry; the token must be an API key with telemetry:write. Throws MosisIngestError when refused. */
  ingestTelemetry(events: readonly TelemetryEventInput[]): Promise<IngestResult>;
  /** POST /v1/crashes, as ingestTelemetry. */
  ingestCrashes(reports: readonly CrashReportInput[]): Promise<IngestResult>;
  /** Sends later requests as this token's owner; `undefined` makes them anonymous. */
  setToken(token: string | undefined): void;
}

interface GraphQLResponseBody {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

/** Apollo Server's answer to a hash it has not seen: the client must send the text along. */
const PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';

export function createMosisClient(options: MosisClientOptions): MosisClient {
  const baseUrl = options.url.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  let token = options.token;

  /** POSTs JSON; resolves with the status and the parsed body, or throws MosisHttpError when the body is not JSON. */
  async function postJson(path: string, body: unknown): Promise<{ status: number; body: unknown; text: string }> {
    const response = await fetchImpl(baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text), text };
    } catch {
      throw new MosisHttpError(response.status, text);
    }
  }

  async function postGraphQL(body: Record<string, unknown>): Promise<{ status: number; body: GraphQLResponseBody }> {
    const response = await postJson('/graphql', body);
    const parsed = response.body as GraphQLResponseBody | null;
    // A JSON body that is not a GraphQL result (e.g. a gateway's error object) is still an HTTP failure.
    if (parsed === null || typeof parsed !== 'object' || !('data' in parsed || 'errors' in parsed)) {
      throw new MosisHttpError(response.status, response.text);
    }
    return { status: response.status, body: parsed };
  }

  async function ingest(path: string, items: readonly unknown[]): Promise<IngestResult> {
    const response = await postJson(path, items);
    if (response.status === 202) return response.body as IngestResult;
    const refusal = response.body as { error?: unknown; errors?: IngestItemError[] } | null;
    if (typeof refusal?.error !== 'string') throw new MosisHttpError(response.status, response.text);
    throw new MosisIngestError(response.status, refusal.error, refusal.errors ?? []);
  }

  return {
    async request<TResult, TVariables>(
      document: TypedDocumentNode<TResult, TVariables>,
      ...[variables]: VariablesArgument<TVariables>
    ): Promise<TResult> {
      const query = operationText(document);
      const request = { operationName: operationOf(document)?.name?.value, variables: variables ?? {} };
      let response;
      if (options.persisted) {
        const extensions = { persistedQuery: { version: 1, sha256Hash: await sha256Hex(query) } };
        response = await postGraphQL({ ...request, extensions });
        if (response.body.errors?.some((error) => error.extensions?.code === PERSISTED_QUERY_NOT_FOUND)) {
          response = await postGraphQL({ ...request, query, extensions });
        }
      } else {
        response = await postGraphQL({ ...request, query });
      }
      const { data, errors } = response.body;
      if (errors?.length) throw new MosisGraphQLError(errors, data, response.status);
      return data as TResult;
    },
    ingestTelemetry: (events) => ingest('/v1/telemetry', events),
    ingestCrashes: (reports) => ingest('/v1/crashes', reports),
    setToken(next) {
      token = next;
    },
  };
}
