/**
 * API key permissions. A session carries all of them; an API key only those it was created with.
 * account:read covers the developer's email, API keys and audit log; account:write minting and
 * revoking keys, so a key shipped inside a device app (telemetry:write) cannot touch the account.
 */
export const SCOPES = ['apps:read', 'apps:write', 'telemetry:read', 'telemetry:write', 'account:read', 'account:write'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
