import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import bcrypt from 'bcrypt';
import { hashSecret, API_KEY_PREFIX } from '../auth/tokens';
import { SCOPES } from '../auth/scopes';
import { parseEd25519PublicKey } from '../signing-keys/signing-key.service';
import { DAY_MS, iso, type SeedContext } from './context';
import { FIRST_NAMES, LAST_NAMES, OAUTH_PROVIDERS, STUDIO_WORDS } from './vocabulary';

/** Every seeded developer without OAuth (staff never) signs in with this password (documented in the README). */
export const SEED_PASSWORD = 'mosis-seed-password';
/** A fixed salt keeps the hash, like every other row, the same on every run. */
const SEED_PASSWORD_SALT = '$2b$10$mosisSeedFixedSaltForDe';

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface Developers {
  ids: string[];
  createdAt: Float64Array;
  /** Lowercase word that names the developer's studio: their apps' package ids start with it. */
  studio: string[];
  activeKeyId: string[];
  /** Signs the developer's versions; Ed25519 signatures are deterministic, so the rows are too. */
  activeKey: KeyObject[];
}

export async function seedDevelopers(ctx: SeedContext): Promise<Developers> {
  const rng = ctx.random('developers');
  const count = ctx.scale.developers;
  const passwordHash = await bcrypt.hash(SEED_PASSWORD, SEED_PASSWORD_SALT);
  const developers: Developers = { ids: [], createdAt: new Float64Array(count), studio: [], activeKeyId: [], activeKey: [] };
  await ctx.copy(
    'developers',
    ['id', 'email', 'name', 'password_hash', 'oauth_provider', 'oauth_id', 'role', 'verified', 'created_at', 'updated_at'],
    async (write) => {
      for (let i = 0; i < count; i++) {
        const id = rng.uuid();
        const first = rng.pick(FIRST_NAMES);
        const last = rng.pick(LAST_NAMES);
        // The first developers are the staff: two admins and a handful of reviewers. They sign in
        // through OAuth only, so no seeded account with powers has the documented password.
        const role = i < 2 ? 'admin' : i < 2 + Math.max(2, Math.round(count / 500)) ? 'reviewer' : 'developer';
        const oauth = rng.chance(0.3) || role !== 'developer';
        // Accounts from the last three years, none in the final 120 days (their apps predate the telemetry).
        const created = ctx.daysBefore(1095) + rng.float() * 975 * DAY_MS;
        developers.ids.push(id);
        developers.createdAt[i] = created;
        developers.studio.push(`${rng.pick(STUDIO_WORDS)}${i}`);
        await write([
          id,
          `${first}.${last}.${i}@example.${rng.pick(['com', 'org', 'net'])}`.toLowerCase(),
          `${first} ${last}`,
          oauth ? null : passwordHash,
          oauth ? rng.pick(OAUTH_PROVIDERS) : null,
          oauth ? String(rng.between(1_000_000, 99_999_999)) : null,
          role,
          rng.chance(0.85),
          iso(created),
          iso(created + rng.float() * 30 * DAY_MS),
        ]);
      }
    },
  );
  await seedSigningKeys(ctx, developers);
  return developers;
}

/** One active Ed25519 key per developer; one in five also has an older key they rotated out. */
async function seedSigningKeys(ctx: SeedContext, developers: Developers): Promise<void> {
  const rng = ctx.random('signing_keys');
  await ctx.copy('signing_keys', ['id', 'developer_id', 'name', 'public_key', 'fingerprint', 'is_active', 'created_at'], async (write) => {
    for (let i = 0; i < developers.ids.length; i++) {
      const rotated = rng.chance(0.2);
      for (const active of rotated ? [false, true] : [true]) {
        const id = rng.uuid();
        const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, rng.bytes(32)]), format: 'der', type: 'pkcs8' });
        const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
        const { fingerprint, canonicalPem } = parseEd25519PublicKey(publicPem);
        if (active) {
          developers.activeKeyId.push(id);
          developers.activeKey.push(privateKey);
        }
        const created = developers.createdAt[i] + (active && rotated ? 200 : 1) * DAY_MS * rng.float();
        await write([id, developers.ids[i], active ? 'release key' : 'old release key', canonicalPem, fingerprint, active, iso(created)]);
      }
    }
  });
}

const KEY_NAMES = ['ci', 'production', 'staging', 'telemetry uploader', 'release pipeline', 'laptop', 'crash reporter'] as const;
/** Scope sets as developers choose them: mostly narrow keys for one job. */
const KEY_SCOPES: readonly (readonly string[])[] = [
  ['telemetry:write'],
  ['apps:read'],
  ['apps:read', 'apps:write'],
  ['telemetry:read'],
  ['apps:read', 'telemetry:read'],
  SCOPES,
];
const KEY_SCOPE_WEIGHTS = [35, 15, 15, 10, 15, 10];

/** API keys, skewed over developers (CI-heavy teams hold many); some used lately, some expired or revoked. */
export async function seedApiKeys(ctx: SeedContext, developers: Developers): Promise<void> {
  const rng = ctx.random('api_keys');
  const columns = ['id', 'developer_id', 'name', 'key_hash', 'key_prefix', 'permissions', 'last_used_at', 'expires_at', 'revoked_at', 'created_at'];
  await ctx.copy('api_keys', columns, async (write) => {
    for (let i = 0; i < ctx.scale.apiKeys; i++) {
      const owner = rng.skewed(developers.ids.length, 2);
      const secret = API_KEY_PREFIX + rng.bytes(32).toString('base64url');
      const created = developers.createdAt[owner] + rng.float() * (ctx.until.getTime() - developers.createdAt[owner]);
      const lastUsed = rng.chance(0.7) ? created + rng.float() * (ctx.until.getTime() - created) : null;
      const expires = rng.chance(0.2) ? created + rng.between(30, 365) * DAY_MS : null;
      const revoked = rng.chance(0.08) ? created + rng.float() * (ctx.until.getTime() - created) : null;
      await write([
        rng.uuid(),
        developers.ids[owner],
        rng.pick(KEY_NAMES),
        hashSecret(secret),
        secret.slice(0, 10),
        JSON.stringify(rng.weighted(KEY_SCOPES, KEY_SCOPE_WEIGHTS)),
        lastUsed === null ? null : iso(lastUsed),
        expires === null ? null : iso(expires),
        revoked === null ? null : iso(revoked),
        iso(created),
      ]);
    }
  });
}
