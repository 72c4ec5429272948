import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The error codes of the public contract. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

const HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
};

/**
 * A failure the caller can act on. Services throw these; GraphQL shows them as errors with
 * `extensions.code` and the /v1 endpoints turn them into the matching HTTP status.
 */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.code = code;
    this.httpStatus = HTTP_STATUS[code];
  }
}

export const unauthenticated = (message = 'Sign in or send a valid API key as "Authorization: Bearer <token>".') =>
  new AppError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`);
export const conflict = (message: string, field?: string) => new AppError('CONFLICT', message, field ? { field } : {});
/**
 * A request over one of the rate limits. `retryAfter` (whole seconds) goes out as
 * `extensions.retryAfter` and, with HTTP 429, as the Retry-After header (Apollo reads `http`).
 */
export function rateLimited(message: string, retryAfterMs: number): AppError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('RATE_LIMITED', `${message} Try again in ${retryAfter} s.`, {
    retryAfter,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
  });
}
/** Bad input always names the field, so a client can put the message beside it. */
export const badInput = (field: string, message: string) =>
  new AppError('BAD_USER_INPUT', `${field}: ${message}`, { field });

/**
 * An AppError thrown before execution (from a plugin hook) rather than by a resolver: Apollo
 * answers those with HTTP 500 unless the error names its own status.
 */
export function asRequestError(error: AppError): AppError {
  error.extensions.http = { status: error.httpStatus };
  return error;
}

/** Unique-violation from PostgreSQL (SQLSTATE 23505) on the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const pg = e?.driverError ?? e;
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}

interface ValidationErrorShape {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorShape[];
}

function flattenValidationErrors(errors: ValidationErrorShape[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * Shapes every error that leaves the API: contract codes pass through, class-validator failures
 * become one readable BAD_USER_INPUT naming each field, and anything unexpected becomes a bare
 * INTERNAL_SERVER_ERROR unless `exposeInternals` (development only) is set: no stack, no SQL.
 * Only unexpected errors keep their stack trace, and only when `exposeInternals` is set.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  exposeInternals: boolean,
  logUnexpected: (error: unknown) => void,
): GraphQLFormattedError {
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  const code = formatted.extensions?.code;

  const validationErrors = formatted.extensions?.validationErrors as ValidationErrorShape[] | undefined;
  if (code === 'BAD_USER_INPUT' && validationErrors) {
    const problems = flattenValidationErrors(validationErrors);
    return {
      message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT', field: problems[0]?.field, fields: problems },
    };
  }

  // Our own error reported from a validation rule: Apollo files it under GRAPHQL_VALIDATION_FAILED,
  // but the client should see the code we chose.
  if (original instanceof AppError && code !== original.code) {
    return formatError({ ...formatted, extensions: { ...formatted.extensions, code: original.code } }, original, exposeInternals, logUnexpected);
  }
  // Apollo's own refusals of a malformed request (a persisted-query hash that does not match the
  // text, an unsupported version) carry an HTTP 4xx status but no code: they are the client's doing.
  if (code === 'INTERNAL_SERVER_ERROR' && isClientHttpStatus(error)) {
    return { message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
  }

  // Expected errors (a wrong password, a parse error) are answers, not bugs: never a stack trace.
  const isKnown = original instanceof AppError || (original instanceof GraphQLError && code !== 'INTERNAL_SERVER_ERROR');
  if (isKnown) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }

  logUnexpected(original);
  if (exposeInternals) return formatted;
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

function isClientHttpStatus(error: unknown): boolean {
  const status = (error as { extensions?: { http?: { status?: unknown } } })?.extensions?.http?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
