/**
 * How a request whose credential came from the in-process cache (see AuthService) proves that
 * the credential still stands: it is read again in the same request, at or after the moment the
 * request arrived, before any answer leaves or any mutation runs. So a revoked key, a signed-out
 * session or a changed role or scope set takes effect on the very next request, in every process,
 * as without a cache.
 *
 * The re-read costs no round trip of its own where it can ride along: a hot read adds `column()`
 * to its statement and hands its rows to `record()`. Otherwise the executor runs `stateSql` as a
 * statement of its own (AuthService.confirm) before answering.
 */
export type CheckStatus = 'unchecked' | 'current' | 'changed';

/**
 * One text per credential that changes whenever anything the principal is built from changes;
 * NULL when the credential no longer authenticates. Aliases: the api_keys or sessions row, then its developer.
 */
export const API_KEY_STATE = (k: string, d: string) => `${d}.id || ' ' || ${d}.role || ' ' || ${k}.permissions::text`;
export const SESSION_STATE = (_s: string, d: string) => `${d}.id || ' ' || ${d}.role`;

const STATE_SQL = {
  apiKey: (id: string) => `(SELECT ${API_KEY_STATE('k', 'd')} FROM api_keys k JOIN developers d ON d.id = k.developer_id
     WHERE k.id = ${id} AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()))`,
  session: (id: string) => `(SELECT ${SESSION_STATE('s', 'd')} FROM sessions s JOIN developers d ON d.id = s.developer_id
     WHERE s.id = ${id} AND s.revoked_at IS NULL AND s.expires_at > now())`,
};

export class CredentialCheck {
  status: CheckStatus = 'unchecked';

  constructor(
    readonly kind: 'apiKey' | 'session',
    readonly credentialId: string,
    /** The state the cached principal was built from. */
    readonly expectedState: string,
  ) {}

  /** The credential's current state as a scalar subquery; appends its id to `params`. */
  stateSql(params: unknown[]): string {
    return STATE_SQL[this.kind](`$${params.push(this.credentialId)}::uuid`);
  }

  /** An extra SELECT column (`credentialState`) for a statement about to run, or '' when nothing is left to check. */
  column(params: unknown[]): string {
    return this.status === 'unchecked' ? `, ${this.stateSql(params)} AS "credentialState"` : '';
  }

  /** Takes the state a statement read (null: the credential is gone). A change is final for this request. */
  record(state: string | null): void {
    if (this.status !== 'changed') this.status = state === this.expectedState ? 'current' : 'changed';
  }

  /** `record` from the rows of a statement built with `column()`; no rows tell nothing. */
  recordFrom(rows: readonly object[]): void {
    const state = (rows[0] as { credentialState?: string | null } | undefined)?.credentialState;
    if (state !== undefined) this.record(state);
  }
}
