import { createMosisClient, MosisGraphQLError, MosisHttpError } from '../../../sdk';

/** The one client of the console: same origin, so it only ever talks to this server's /graphql. */
export const mosis = createMosisClient({ url: window.location.origin });

/** What a person needs to act on a failed request: the message and, for bad input, the field it is about. */
export interface ProblemDescription {
  code: string;
  /** For a field's problem, without the field's name in front. */
  message: string;
  /** The input field named by the server (`input.packageId` is reported as `packageId`). */
  field?: string;
}

export function describeProblem(error: unknown): ProblemDescription {
  if (error instanceof MosisGraphQLError) {
    const field = error.field?.split('.').at(-1);
    if (error.code === 'RATE_LIMITED') {
      const retryAfter = error.errors[0]?.extensions?.retryAfter;
      const wait = typeof retryAfter === 'number' ? ` Try again in ${retryAfter} s.` : '';
      return { code: error.code, message: `${error.message}${wait}` };
    }
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      return { code: error.code, message: 'The server failed to answer this request. Try again; if it keeps failing, tell the operators.' };
    }
    // The server starts a field's message with its name ("packageId: must be…"); the console shows the label instead.
    const prefix = `${error.field}: `;
    const message = error.field && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return { code: error.code, message, field };
  }
  if (error instanceof MosisHttpError) {
    return { code: 'HTTP', message: `The server answered HTTP ${error.status} without a GraphQL result. Try again in a moment.` };
  }
  return { code: 'NETWORK', message: 'Could not reach the server. Check your connection and try again.' };
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof MosisGraphQLError && error.code === 'UNAUTHENTICATED';
}
