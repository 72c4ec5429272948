import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
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

export interface SigningKeyPair {
  publicKeyPem: string;
  privateKey: KeyObject;
}

export function generateSigningKey(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** What a developer's build tooling does: sign "mosis-package-v1:<packageId>:<versionCode>:<sha256>". */
export function signPackage(privateKey: KeyObject, packageId: string, versionCode: number, packageSha256: string): string {
  return sign(null, Buffer.from(`mosis-package-v1:${packageId}:${versionCode}:${packageSha256}`), privateKey).toString('base64');
}

export async function registerSigningKey(server: TestServer, token: string, key: SigningKeyPair = generateSigningKey()) {
  const result = await server.graphql(
    `mutation ($input: RegisterSigningKeyInput!) { registerSigningKey(input: $input) { id fingerprint isActive } }`,
    { input: { name: 'release key', publicKey: key.publicKeyPem } },
    token,
  );
  if (result.errors) throw new Error(`registerSigningKey failed: ${JSON.stringify(result.errors)}`);
  return { ...result.data.registerSigningKey, ...key } as { id: string; fingerprint: string } & SigningKeyPair;
}

export async function createApp(server: TestServer, token: string, input: Record<string, unknown> = {}) {
  const result = await server.graphql(
    `mutation ($input: CreateAppInput!) { createApp(input: $input) { id packageId name tags status } }`,
    { input: { packageId: `com.test.app${randomBytes(4).toString('hex')}`, name: 'Test App', ...input } },
    token,
  );
  if (result.errors) throw new Error(`createApp failed: ${JSON.stringify(result.errors)}`);
  return result.data.createApp as { id: string; packageId: string; name: string; tags: string[]; status: string };
}

export function versionInput(app: { id: string; packageId: string }, key: SigningKeyPair, versionCode: number, overrides: Record<string, unknown> = {}) {
  const packageSha256 = createHash('sha256').update(`package ${app.packageId} ${versionCode}`).digest('hex');
  return {
    appId: app.id,
    versionCode,
    versionName: `1.${versionCode}`,
    packageUrl: `https://cdn.example.com/${app.packageId}-${versionCode}.mpk`,
    packageSize: '1048576',
    packageSha256,
    signature: signPackage(key.privateKey, app.packageId, versionCode, packageSha256),
    permissions: ['network'],
    ...overrides,
  };
}

export const CREATE_VERSION = `mutation ($input: CreateVersionInput!) {
  createVersion(input: $input) { id versionCode status publishedAt app { id } }
}`;

export async function createVersion(server: TestServer, token: string, input: Record<string, unknown>) {
  const result = await server.graphql(CREATE_VERSION, { input }, token);
  if (result.errors) throw new Error(`createVersion failed: ${JSON.stringify(result.errors)}`);
  return result.data.createVersion as { id: string; versionCode: number; status: string };
}

/** Drives a version through review to PUBLISHED: owner submits, reviewer approves, owner publishes. */
export async function publish(server: TestServer, ownerToken: string, reviewerToken: string, versionId: string) {
  for (const [mutation, token] of [
    ['submitVersionForReview', ownerToken], ['approveVersion', reviewerToken], ['publishVersion', ownerToken],
  ] as const) {
    const result = await server.graphql(`mutation ($id: ID!) { ${mutation}(id: $id) { status } }`, { id: versionId }, token);
    if (result.errors) throw new Error(`${mutation} failed: ${JSON.stringify(result.errors)}`);
  }
}

/** A developer with a signing key and a published app (one published version), plus the reviewer used. */
export async function publishedApp(server: TestServer, appInput: Record<string, unknown> = {}, reviewer?: SignedUpDeveloper) {
  const owner = await signUp(server);
  const key = await registerSigningKey(server, owner.token);
  const app = await createApp(server, owner.token, appInput);
  const version = await createVersion(server, owner.token, versionInput(app, key, 1));
  const staff = reviewer ?? (await signUpWithRole(server, 'reviewer'));
  await publish(server, owner.token, staff.token, version.id);
  return { owner, key, app, version, reviewer: staff };
}
