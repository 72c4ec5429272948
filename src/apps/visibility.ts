import type { CredentialCheck } from '../auth/credential-check';
import type { Principal } from '../auth/principal';
import { isStaff } from '../developers/role';
import { AppStatus } from './app.entity';

/**
 * Who is looking at the catalog. Published apps are public; drafts and suspended apps are
 * visible only to their owner and to reviewers/admins, and only through a credential that
 * carries `apps:read` (an API key without it sees what an anonymous visitor sees).
 */
export interface Viewer {
  developerId: string | null;
  staff: boolean;
  /** The caller's cached credential, for a read to re-check in its statement (see CredentialCheck). */
  check?: CredentialCheck;
}

export function viewerOf(principal: Principal | null): Viewer {
  if (!principal || !principal.scopes.has('apps:read')) return { developerId: null, staff: false, check: principal?.check };
  return { developerId: principal.developerId, staff: isStaff(principal.role), check: principal.check };
}

export function canViewApp(viewer: Viewer, app: { status: AppStatus; developerId: string }): boolean {
  return app.status === AppStatus.PUBLISHED || viewer.staff || app.developerId === viewer.developerId;
}

/** The same rule as SQL over an `apps` alias; appends the viewer's id to `params` when it needs it. */
export function visibleAppsSql(viewer: Viewer, alias: string, params: unknown[]): string {
  if (viewer.staff) return 'TRUE';
  if (!viewer.developerId) return `${alias}.status = 'published'`;
  return `(${alias}.status = 'published' OR ${alias}.developer_id = $${params.push(viewer.developerId)})`;
}
