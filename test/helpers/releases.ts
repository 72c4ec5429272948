import { createHash } from 'node:crypto';
import { createVersion, publishedApp, versionInput } from './factories';
import type { TestServer } from './test-server';

export const ROLLOUT_FIELDS = `id versionCode versionName status rollout { percentage state phased haltBelowCrashFreeRate haltedReason startedAt updatedAt }`;

/** The contract's bucket formula, written independently of the server's SQL. */
export function bucketOf(appId: string, deviceId: string): number {
  return createHash('sha256').update(`${appId}:${deviceId}`).digest().readUInt32BE(0) % 10_000;
}

/** An app with v1 (code 1) fully published, and `more` versions created, submitted and approved (codes 2, 3, …). */
export async function appWithApprovedVersions(server: TestServer, more = 1) {
  const release = await publishedApp(server);
  const approved: { id: string; versionCode: number; versionName: string }[] = [];
  for (let code = 2; code < 2 + more; code++) {
    const version = await createVersion(server, release.owner.token, versionInput(release.app, release.key, code));
    await mutate(server, release.owner.token, `submitVersionForReview(id: $id) { id }`, { id: version.id });
    await mutate(server, release.reviewer.token, `approveVersion(id: $id) { id }`, { id: version.id });
    approved.push({ id: version.id, versionCode: code, versionName: `1.${code}` });
  }
  return { ...release, approved };
}

const ARG_TYPES: Record<string, string> = {
  id: 'ID!', versionId: 'ID!', percentage: 'Float!', reason: 'String!',
  rolloutPercentage: 'Float', phased: 'Boolean', haltBelowCrashFreeRate: 'Float',
};

/** One mutation field with its variables declared from their names; the raw result. */
export function mutate(server: TestServer, token: string, field: string, variables: Record<string, unknown>) {
  const declared = Object.keys(variables).map((name) => `$${name}: ${ARG_TYPES[name]}`).join(', ');
  return server.graphql(`mutation (${declared}) { ${field} }`, variables, token);
}

/** publishVersion with rollout arguments; throws on errors and returns the version with its rollout. */
export async function publishStaged(server: TestServer, token: string, id: string, args: Record<string, unknown> = {}) {
  const params = Object.keys(args).map((name) => `${name}: $${name}`);
  const result = await mutate(server, token, `publishVersion(${['id: $id', ...params].join(', ')}) { ${ROLLOUT_FIELDS} }`, { id, ...args });
  if (result.errors) throw new Error(`publishVersion failed: ${JSON.stringify(result.errors)}`);
  return result.data.publishVersion;
}

/** What appUpdate offers this device: the versionCode, or null. */
export async function offeredCode(server: TestServer, packageId: string, deviceId: string, currentVersionCode = 1): Promise<number | null> {
  const result = await server.graphql(
    `query ($p: String!, $d: String!, $c: Int) { appUpdate(packageId: $p, deviceId: $d, currentVersionCode: $c) { versionCode } }`,
    { p: packageId, d: deviceId, c: currentVersionCode },
  );
  if (result.errors) throw new Error(`appUpdate failed: ${JSON.stringify(result.errors)}`);
  return result.data.appUpdate?.versionCode ?? null;
}

/** createWebhook pointed at a receiver; the receiver learns the secret to verify with. */
export async function registerWebhook(
  server: TestServer,
  token: string,
  receiver: { url: string; secret: string },
  events: string[],
  appId?: string,
): Promise<{ id: string; secret: string }> {
  const result = await server.graphql(
    `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }`,
    { input: { url: receiver.url, events, appId } },
    token,
  );
  if (result.errors) throw new Error(`createWebhook failed: ${JSON.stringify(result.errors)}`);
  receiver.secret = result.data.createWebhook.secret;
  return { id: result.data.createWebhook.webhook.id, secret: receiver.secret };
}

export const DELIVERIES = `query { me { webhooks { id deliveries(first: 50) { totalCount edges { node { id event status attempts responseStatus lastError nextAttemptAt lastAttemptAt } } } } } }`;

/** offeredCode for many devices, a few requests at a time (as devices would come, not all at once). */
export async function offeredCodes(server: TestServer, packageId: string, deviceIds: string[], currentVersionCode = 1): Promise<(number | null)[]> {
  const codes: (number | null)[] = [];
  for (let i = 0; i < deviceIds.length; i += 20) {
    codes.push(...(await Promise.all(deviceIds.slice(i, i + 20).map((d) => offeredCode(server, packageId, d, currentVersionCode)))));
  }
  return codes;
}
