/** API key permissions. A session carries all of them; an API key only those it was created with. */
export const SCOPES = ['apps:read', 'apps:write', 'telemetry:read', 'telemetry:write', 'account:read', 'account:write'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
