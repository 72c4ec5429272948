import DataLoader from 'dataloader';
import type { ApiKey } from '../api-keys/api-key.entity';
import type { Developer } from '../developers/developer.entity';
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

export function createLoaders(services: Services) {
  return {
    developerById: new DataLoader<string, Developer | null>(async (ids) =>
      byKey(ids, await services.developers.findByIds(ids), (d) => d.id),
    ),
    apiKeysByDeveloper: new DataLoader<string, ApiKey[]>(async (ids) =>
      groupByKey(ids, await services.apiKeys.listForDevelopers(ids), (k) => k.developerId),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
