import { createHash, sign } from 'node:crypto';
import { signedMessage } from '../versions/app-version.service';
import type { Developers } from './accounts';
import { DAY_MS, iso, type SeedContext } from './context';
import {
  APP_ADJECTIVES, APP_NOUNS, APP_SUFFIXES, CATEGORIES, DESCRIPTION_SENTENCES, MOSIS_VERSIONS, PACKAGE_PERMISSIONS,
  REJECTION_NOTES, SUSPENSION_REASONS, TAGS,
} from './vocabulary';
import { arrayLiteral } from './copy-writer';

export interface Apps {
  ids: string[];
  developer: Uint32Array;
  packageIds: string[];
  status: string[];
  createdAt: Float64Array;
  /** Published apps, busiest first: telemetry and crash reports are skewed along this order. */
  byPopularity: number[];
  /** Version names of each app's published versions, oldest first (crash reports name one). */
  publishedVersions: string[][];
}

/** Shares of a real store: most apps are live, a quarter are still drafts, a few are suspended. */
const APP_STATUSES = ['published', 'draft', 'suspended'] as const;
const APP_STATUS_WEIGHTS = [72, 25, 3];

export async function seedApps(ctx: SeedContext, developers: Developers): Promise<Apps> {
  const rng = ctx.random('apps');
  const count = ctx.scale.apps;
  const apps: Apps = {
    ids: [], developer: new Uint32Array(count), packageIds: [], status: [], createdAt: new Float64Array(count),
    byPopularity: [], publishedVersions: [],
  };
  // One developer in five has no app; among the rest a few studios publish hundreds.
  const publishers = Math.max(1, Math.floor(developers.ids.length * 0.8));
  const columns = ['id', 'developer_id', 'package_id', 'name', 'description', 'category', 'tags', 'status', 'suspended_reason', 'created_at', 'updated_at'];
  await ctx.copy('apps', columns, async (write) => {
    for (let i = 0; i < count; i++) {
      const developer = rng.skewed(publishers, 2.5);
      const adjective = rng.pick(APP_ADJECTIVES);
      const noun = rng.pick(APP_NOUNS);
      const suffix = rng.pick(APP_SUFFIXES);
      const status = rng.weighted(APP_STATUSES, APP_STATUS_WEIGHTS);
      const packageId = `${rng.pick(['com', 'io', 'app', 'dev', 'org'])}.${developers.studio[developer]}.${adjective}${noun}${i}`.toLowerCase();
      const description = Array.from({ length: rng.between(2, 4) }, () => rng.pick(DESCRIPTION_SENTENCES))
        .join(' ')
        .replace(/\{adjective\}/g, adjective.toLowerCase())
        .replace(/\{noun\}/g, noun.toLowerCase());
      const tags = [...new Set(Array.from({ length: rng.between(1, 5) }, () => TAGS[rng.skewed(TAGS.length, 2)]))];
      // Every app exists before the telemetry window opens, after its developer signed up.
      const earliest = developers.createdAt[developer];
      const created = earliest + rng.float() * Math.max(DAY_MS, ctx.daysBefore(ctx.scale.telemetryDays + 10) - earliest);
      apps.ids.push(rng.uuid());
      apps.developer[i] = developer;
      apps.packageIds.push(packageId);
      apps.status.push(status);
      apps.createdAt[i] = created;
      await write([
        apps.ids[i], developers.ids[developer], packageId, `${adjective} ${noun}${suffix ? ` ${suffix}` : ''}`, description,
        CATEGORIES[rng.skewed(CATEGORIES.length, 1.5)], arrayLiteral(tags), status,
        status === 'suspended' ? rng.pick(SUSPENSION_REASONS) : null, iso(created), iso(created + rng.float() * 60 * DAY_MS),
      ]);
    }
  });
  const popularity = rng.permutation(count);
  apps.byPopularity = Array.from(popularity).filter((i) => apps.status[i] === 'published');
  return apps;
}

/**
 * Every app has version 1; the rest go mostly to the busy apps. Published and suspended apps have
 * published versions (the newest may still be in review, approved, a draft or rejected); drafts
 * have none. Packages are signed with the developer's active key exactly as a developer would.
 */
export async function seedVersions(ctx: SeedContext, developers: Developers, apps: Apps): Promise<void> {
  const rng = ctx.random('app_versions');
  const count = apps.ids.length;
  const versionCounts = new Uint32Array(count).fill(1);
  const order = rng.permutation(count);
  for (let extra = ctx.scale.versions - count; extra > 0; extra--) versionCounts[order[rng.skewed(count, 1.5)]]++;

  const columns = [
    'id', 'app_id', 'version_code', 'version_name', 'package_url', 'package_size', 'package_sha256', 'signature',
    'signing_key_id', 'permissions', 'min_mosis_version', 'release_notes', 'status', 'review_notes', 'published_at',
    'created_at', 'updated_at',
  ];
  await ctx.copy('app_versions', columns, async (write) => {
    for (let app = 0; app < count; app++) {
      const n = versionCounts[app];
      const live = apps.status[app] !== 'draft';
      const developer = apps.developer[app];
      const published: string[] = [];
      const span = ctx.until.getTime() - DAY_MS - apps.createdAt[app];
      for (let code = 1; code <= n; code++) {
        const status = versionStatus(rng, live, code, n);
        const name = `${1 + Math.floor((code - 1) / 20)}.${Math.floor(((code - 1) % 20) / 4)}.${(code - 1) % 4}`;
        const created = apps.createdAt[app] + (span * (code - 1 + rng.float())) / n;
        const packageId = apps.packageIds[app];
        const sha256 = createHash('sha256').update(`${packageId}:${code}`).digest('hex');
        const signature = sign(null, Buffer.from(signedMessage(packageId, code, sha256)), developers.activeKey[developer]).toString('base64');
        const publishedAt = status === 'published' ? Math.min(created + rng.between(1, 72) * 3_600_000, ctx.until.getTime() - 60_000) : null;
        if (status === 'published') published.push(name);
        const permissions = [...new Set(Array.from({ length: rng.between(0, 4) }, () => rng.pick(PACKAGE_PERMISSIONS)))];
        await write([
          rng.uuid(), apps.ids[app], code, name, `https://cdn.mosis.example/packages/${packageId}/${code}.mpk`,
          Math.round(500_000 + 80_000_000 * rng.float() ** 3), sha256, signature, developers.activeKeyId[developer],
          JSON.stringify(permissions), rng.pick(MOSIS_VERSIONS.slice(0, 4)),
          rng.chance(0.6) ? 'Bug fixes and performance improvements.' : null, status,
          status === 'rejected' ? rng.pick(REJECTION_NOTES) : null,
          publishedAt === null ? null : iso(publishedAt), iso(created), iso(publishedAt ?? created),
        ]);
      }
      apps.publishedVersions[app] = published;
    }
  });
}

function versionStatus(rng: ReturnType<SeedContext['random']>, live: boolean, code: number, newest: number): string {
  if (live) {
    if (code === 1) return 'published';
    if (code < newest) return rng.chance(0.05) ? 'rejected' : 'published';
    return rng.weighted(['published', 'review', 'approved', 'draft', 'rejected'], [80, 8, 4, 5, 3]);
  }
  if (code < newest) return 'rejected';
  return rng.weighted(['draft', 'review', 'approved', 'rejected'], [50, 30, 5, 15]);
}
