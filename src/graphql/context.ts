import type { ExecutionResult } from 'graphql';
import type { Principal } from '../auth/principal';
import type { Loaders } from './loaders';
import type { Services } from '../services';

/** Everything a resolver may use, built fresh for each request. */
export interface RequestContext {
  requestId: string;
  ip: string | null;
  principal: Principal | null;
  services: Services;
  /** Per-request DataLoaders: batching and caching never cross requests (or callers). */
  loaders: Loaders;
  /**
   * Settles whether `principal` still stands (see CredentialCheck): true if it does; false if it
   * changed, in which case `principal` and `loaders` now hold the current ones. Throws
   * UNAUTHENTICATED when the credential no longer authenticates.
   */
  confirmCredential(): Promise<boolean>;
  /** Adds fields to this request's "request completed" log line (plumbing, e.g. the operation name). */
  annotateLog(fields: Record<string, string>): void;
  /**
   * An operation the direct path (src/http/direct-queries.ts) already ran, handed to Apollo
   * Server with its outcome when that needs Apollo's reporting (errors): never run twice.
   */
  executed?: { source: string; outcome: Promise<ExecutionResult> };
}
