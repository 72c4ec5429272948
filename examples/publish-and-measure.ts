// `npm run example`: the SDK end to end against a running server, from a new account to the data of
// a telemetry chart. README, "SDK", says how to run it; test/example.test.ts runs it the same way.
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import {
  ApproveVersionDocument, AppDocument, CreateApiKeyDocument, CreateAppDocument, CreateVersionDocument, createMosisClient,
  PublishVersionDocument, RegisterSigningKeyDocument, SignInDocument, SignUpDocument, SubmitVersionForReviewDocument,
  TelemetryDailyDocument,
} from '../sdk';

const url = process.env.MOSIS_URL ?? 'http://127.0.0.1:4000';
const { REVIEWER_EMAIL, REVIEWER_PASSWORD } = process.env;

async function main(): Promise<void> {
  if (!REVIEWER_EMAIL || !REVIEWER_PASSWORD) {
    throw new Error('Set REVIEWER_EMAIL and REVIEWER_PASSWORD to an account with the reviewer role (README, "SDK").');
  }
  const developer = createMosisClient({ url });

  // 1. A new account; its session token authorizes everything the developer does next.
  const stamp = Date.now();
  const { signUp } = await developer.request(SignUpDocument, {
    input: { email: `sdk-example-${stamp}@example.com`, name: 'SDK Example', password: 'a long enough password' },
  });
  developer.setToken(signUp.token);
  console.log(`signed up as ${signUp.developer.email}`);

  // 2. An API key for the app's devices: it may send and read telemetry, nothing else.
  const { createApiKey } = await developer.request(CreateApiKeyDocument, {
    input: { name: 'devices', permissions: ['telemetry:write', 'telemetry:read'] },
  });

  // 3. A signing key pair; only the public half goes to the server.
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  await developer.request(RegisterSigningKeyDocument, {
    input: { name: 'release key', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  });

  // 4. The app, and its first version signed over "mosis-package-v1:<packageId>:<versionCode>:<sha256>".
  const packageId = `com.example.measured${stamp}`;
  const { createApp } = await developer.request(CreateAppDocument, {
    input: { packageId, name: 'Measured', description: 'Counts its own launches', category: 'tools', tags: ['demo'] },
  });
  const packageBytes = Buffer.from('the .mpk file you built');
  const packageSha256 = createHash('sha256').update(packageBytes).digest('hex');
  const versionCode = 1;
  const signature = sign(null, Buffer.from(`mosis-package-v1:${packageId}:${versionCode}:${packageSha256}`), privateKey);
  const { createVersion } = await developer.request(CreateVersionDocument, {
    input: {
      appId: createApp.id, versionCode, versionName: '1.0.0', packageUrl: `https://cdn.example.com/${packageId}-1.mpk`,
      packageSize: packageBytes.length, packageSha256, signature: signature.toString('base64'), permissions: ['network'],
    },
  });

  // 5. Review: the owner submits, a reviewer approves, the owner publishes.
  await developer.request(SubmitVersionForReviewDocument, { id: createVersion.id });
  const reviewer = createMosisClient({ url });
  const { signIn } = await reviewer.request(SignInDocument, { email: REVIEWER_EMAIL, password: REVIEWER_PASSWORD });
  reviewer.setToken(signIn.token);
  await reviewer.request(ApproveVersionDocument, { id: createVersion.id, notes: 'Looks good' });
  await developer.request(PublishVersionDocument, { id: createVersion.id });
  const { app } = await createMosisClient({ url }).request(AppDocument, { packageId }); // anyone can see it now
  console.log(`published ${packageId} ${app?.latestVersion?.versionName} (${app?.status})`);

  // 6. Devices report launches with the API key; eventId makes a retried upload harmless.
  const devices = createMosisClient({ url, token: createApiKey.secret });
  const now = new Date().toISOString();
  const launches = ['tablet', 'phone', 'phone'].map((deviceId) => ({
    appId: createApp.id, deviceId, eventType: 'app_open', timestamp: now, eventId: randomUUID(),
  }));
  const { accepted } = await devices.ingestTelemetry(launches);
  console.log(`sent ${accepted} telemetry events`);

  // 7. What a telemetry chart plots: one row per UTC day and event type.
  const today = now.slice(0, 10);
  const { telemetryDaily } = await devices.request(TelemetryDailyDocument, { appId: createApp.id, from: today, to: today });
  console.log(JSON.stringify({ packageId, status: app?.status, telemetryDaily }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
