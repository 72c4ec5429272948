import DataLoader from 'dataloader';
import type { ApiKey } from '../api-keys/api-key.entity';
import type { App } from '../apps/app.entity';
import type { Developer } from '../developers/developer.entity';
import type { SigningKey } from '../signing-keys/signing-key.entity';
import type { AppVersion } from '../versions/app-version.entity';
import type { Services } from '../services';

/** Maps batch results back to the order DataLoader asked for. */
export function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

export function groupByKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/**
 * DataLoaders whose batch also depends on arguments (a page of each parent's children): one
 * loader per name and argument set, so every parent asking for the same page shares one query.
 */
export class KeyedLoaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  get<V>(name: string, args: unknown, batch: (keys: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
    const key = `${name}:${JSON.stringify(args)}`;
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, unknown>(batch as (keys: readonly string[]) => Promise<unknown[]>);
      this.loaders.set(key, loader);
    }
    return loader as DataLoader<string, V>;
  }
}

export function createLoaders(services: Services) {
  return {
    keyed: new KeyedLoaders(),
    developerById: new DataLoader<string, Developer | null>(async (ids) =>
      byKey(ids, await services.developers.findByIds(ids), (d) => d.id),
    ),
    apiKeysByDeveloper: new DataLoader<string, ApiKey[]>(async (ids) =>
      groupByKey(ids, await services.apiKeys.listForDevelopers(ids), (k) => k.developerId),
    ),
    signingKeysByDeveloper: new DataLoader<string, SigningKey[]>(async (ids) =>
      groupByKey(ids, await services.signingKeys.listForDevelopers(ids), (k) => k.developerId),
    ),
    appById: new DataLoader<string, App | null>(async (ids) => byKey(ids, await services.apps.findByIds(ids), (a) => a.id)),
    latestVersionByApp: new DataLoader<string, AppVersion | null>(async (ids) =>
      byKey(ids, await services.versions.latestPublished(ids), (v) => v.appId),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
