import { createMosisClient, MosisGraphQLError, MosisHttpError } from '../../../sdk';

/** The one client of the console: same origin, so it only ever talks to this server's /graphql. */
export const mosis = createMosisClient({ url: window.location.origin });

/** What a person needs to act on a failed request: the message and, for bad input, the field it is about. */
export interface ProblemDescription {
  code: string;
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
    return { code: error.code, message: error.message, field };
  }
  if (error instanceof MosisHttpError) {
    return { code: 'HTTP', message: `The server answered HTTP ${error.status} without a GraphQL result. Try again in a moment.` };
  }
  return { code: 'NETWORK', message: 'Could not reach the server. Check your connection and try again.' };
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof MosisGraphQLError && error.code === 'UNAUTHENTICATED';
}
