import type { RequestContext } from '../graphql/context';
import { forbidden, unauthenticated } from '../graphql/errors';
import { Role } from '../developers/role';
import type { Principal } from './principal';
import type { Scope } from './scopes';

export function requirePrincipal(ctx: RequestContext): Principal {
  if (!ctx.principal) throw unauthenticated();
  return ctx.principal;
}

/** A session has every scope; an API key only those it was created with. */
export function requireScope(ctx: RequestContext, scope: Scope): Principal {
  const principal = requirePrincipal(ctx);
  if (!principal.scopes.has(scope)) {
    throw forbidden(`This API key lacks the "${scope}" permission.`);
  }
  return principal;
}

export function requireRole(ctx: RequestContext, roles: Role[], action: string): Principal {
  const principal = requirePrincipal(ctx);
  if (!roles.includes(principal.role)) {
    throw forbidden(`Only ${roles.join(' or ')} accounts may ${action}.`);
  }
  return principal;
}

/** The developer themself, or an admin. */
export function isSelfOrAdmin(principal: Principal | null, developerId: string): boolean {
  return !!principal && (principal.developerId === developerId || principal.role === Role.ADMIN);
}
