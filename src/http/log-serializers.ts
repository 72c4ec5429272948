import pino from 'pino';

/**
 * What of an error goes into a log line. TypeORM's QueryFailedError carries the statement's
 * parameters (bcrypt hashes, API key hashes, emails) and PostgreSQL's `detail` repeats row values
 * ("Key (email)=(…)", "Failing row contains (…)"): pino's standard serializer would write them
 * all. This keeps what an operator needs to find the fault, and nothing a caller sent.
 */
export function errorForLog(error: unknown): { type: string; message: string; stack: string; [key: string]: unknown } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  const { type, message, stack } = pino.stdSerializers.err(error);
  const pg = ((error as { driverError?: unknown }).driverError ?? error) as Record<string, unknown>;
  const safe: { type: string; message: string; stack: string; [key: string]: unknown } = { type, message, stack };
  for (const key of ['code', 'constraint', 'table', 'column', 'routine'] as const) {
    if (typeof pg[key] === 'string') safe[key] = pg[key];
  }
  const query = (error as { query?: unknown }).query;
  if (typeof query === 'string') safe.query = query;
  return safe;
}

/** For every pino logger the platform creates (Fastify's and the process's own). */
export const logSerializers = { err: errorForLog, error: errorForLog };
