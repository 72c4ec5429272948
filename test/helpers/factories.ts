import { randomBytes } from 'node:crypto';
import type { TestServer } from './test-server';

export interface SignedUpDeveloper {
  id: string;
  email: string;
  password: string;
  token: string;
}

export async function signUp(server: TestServer, overrides: { email?: string; name?: string } = {}): Promise<SignedUpDeveloper> {
  const email = overrides.email ?? `dev-${randomBytes(5).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const result = await server.graphql(
    `mutation ($input: SignUpInput!) { signUp(input: $input) { token developer { id } } }`,
    { input: { email, name: overrides.name ?? 'Test Developer', password } },
  );
  if (result.errors) throw new Error(`signUp failed: ${JSON.stringify(result.errors)}`);
  return { id: result.data.signUp.developer.id, email, password, token: result.data.signUp.token };
}

/** Signs up and grants a role directly through the service, as `npx mosis grant-role` does. */
export async function signUpWithRole(server: TestServer, role: 'reviewer' | 'admin'): Promise<SignedUpDeveloper> {
  const developer = await signUp(server);
  await server.services.developers.grantRole(developer.email, role);
  return developer;
}

export async function createApiKey(
  server: TestServer,
  token: string,
  permissions: string[],
  extra: { name?: string; expiresAt?: string } = {},
): Promise<{ id: string; secret: string; prefix: string }> {
  const result = await server.graphql(
    `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id prefix } } }`,
    { input: { name: extra.name ?? 'test key', permissions, expiresAt: extra.expiresAt } },
    token,
  );
  if (result.errors) throw new Error(`createApiKey failed: ${JSON.stringify(result.errors)}`);
  const { secret, apiKey } = result.data.createApiKey;
  return { id: apiKey.id, secret, prefix: apiKey.prefix };
}
