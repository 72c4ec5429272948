/** The `extensions.code` values of the public contract. */
export type MosisErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

/** One entry of a GraphQL response's `errors`, as the server sends it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/**
 * The server answered with GraphQL errors. `code`, `field` and `path` describe the first error
 * (usually the only one); `errors` holds them all, and `data` whatever part of the result was resolved.
 */
export class MosisGraphQLError extends Error {
  /** A contract code, or a protocol code such as GRAPHQL_VALIDATION_FAILED from the GraphQL layer. */
  readonly code: MosisErrorCode | (string & {});
  /** The input field a BAD_USER_INPUT or CONFLICT error is about. */
  readonly field: string | undefined;
  readonly path: readonly (string | number)[] | undefined;
  readonly errors: readonly GraphQLErrorEntry[];
  readonly data: unknown;
  readonly status: number;

  constructor(errors: readonly GraphQLErrorEntry[], data: unknown, status: number) {
    const [first] = errors;
    super(errors.map((error) => error.message).join('\n'));
    this.name = 'MosisGraphQLError';
    this.code = first.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    this.field = first.extensions?.field;
    this.path = first.path;
    this.errors = errors;
    this.data = data;
    this.status = status;
  }
}

/** An HTTP failure that carries no GraphQL result: a proxy's 502, an HTML error page, a non-JSON body. */
export class MosisHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
    this.name = 'MosisHttpError';
  }
}

/** One refused item of an ingestion batch: its 0-based position in the array sent, and why. */
export interface IngestItemError {
  index: number;
  reason: string;
}

/**
 * /v1/telemetry or /v1/crashes refused a batch (and stored none of it): 400 with one entry in
 * `errors` per bad item, 401/403 for the API key, 413 for an oversized body.
 */
export class MosisIngestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: readonly IngestItemError[],
  ) {
    super(message);
    this.name = 'MosisIngestError';
  }
}
