import type { Role } from '../developers/role';
import type { CredentialCheck } from './credential-check';
import type { Scope } from './scopes';

/** Who is calling, resolved from the bearer token on every request (so role changes apply at once). */
export interface Principal {
  developerId: string;
  role: Role;
  scopes: ReadonlySet<Scope>;
  credential: { kind: 'session'; sessionId: string } | { kind: 'apiKey'; apiKeyId: string };
  /** Set when this request's principal came from the credential cache: it must be re-read before the answer leaves. */
  check?: CredentialCheck;
}
