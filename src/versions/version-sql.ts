import { fullyRolledOutSql } from '../releases/rollout-rule';

/** Each app_versions column under its entity property name, so raw rows are AppVersion-shaped as they arrive. */
const VERSION_COLUMN_LIST: [property: string, sql: (v: string) => string][] = [
  ['id', (v) => `${v}.id`],
  ['appId', (v) => `${v}.app_id AS "appId"`],
  ['versionCode', (v) => `${v}.version_code AS "versionCode"`],
  ['versionName', (v) => `${v}.version_name AS "versionName"`],
  ['packageUrl', (v) => `${v}.package_url AS "packageUrl"`],
  ['packageSize', (v) => `${v}.package_size::text AS "packageSize"`],
  ['packageSha256', (v) => `${v}.package_sha256 AS "packageSha256"`],
  ['signature', (v) => `${v}.signature`],
  ['signingKeyId', (v) => `${v}.signing_key_id AS "signingKeyId"`],
  ['permissions', (v) => `${v}.permissions`],
  ['minMosisVersion', (v) => `${v}.min_mosis_version AS "minMosisVersion"`],
  ['releaseNotes', (v) => `${v}.release_notes AS "releaseNotes"`],
  ['status', (v) => `${v}.status`],
  ['reviewNotes', (v) => `${v}.review_notes AS "reviewNotes"`],
  ['publishedAt', (v) => `${v}.published_at AS "publishedAt"`],
  ['createdAt', (v) => `${v}.created_at AS "createdAt"`],
  ['updatedAt', (v) => `${v}.updated_at AS "updatedAt"`],
  ['rolloutPercentage', (v) => `${v}.rollout_percentage AS "rolloutPercentage"`],
  ['rolloutState', (v) => `${v}.rollout_state AS "rolloutState"`],
  ['rolloutPhased', (v) => `${v}.rollout_phased AS "rolloutPhased"`],
  ['rolloutHaltBelow', (v) => `${v}.rollout_halt_below AS "rolloutHaltBelow"`],
  ['rolloutHaltedReason', (v) => `${v}.rollout_halted_reason AS "rolloutHaltedReason"`],
  ['rolloutStartedAt', (v) => `${v}.rollout_started_at AS "rolloutStartedAt"`],
  ['rolloutUpdatedAt', (v) => `${v}.rollout_updated_at AS "rolloutUpdatedAt"`],
  ['rolloutNextStepAt', (v) => `${v}.rollout_next_step_at AS "rolloutNextStepAt"`],
];
const VERSION_COLUMN_SQL = new Map(VERSION_COLUMN_LIST);

/** Every app_versions column under its entity property name. */
export const VERSION_COLUMNS = (v: string) => VERSION_COLUMN_LIST.map(([, sql]) => sql(v)).join(', ');

/** Fields that are not columns but need none beyond id and appId. */
const FIELDS_OF_ID_AND_APP = new Set(['app', '__typename']);

/**
 * The columns a selection of AppVersion fields needs: the selected ones plus id and appId (what
 * `app` and the loaders key on). A field that is neither (a field resolver such as `rollout`)
 * may need any column, so then every column is read. Null selects every column.
 */
export function versionColumnsFor(v: string, fields: ReadonlySet<string> | null): string {
  if (fields === null || [...fields].some((field) => !VERSION_COLUMN_SQL.has(field) && !FIELDS_OF_ID_AND_APP.has(field))) {
    return VERSION_COLUMNS(v);
  }
  const properties = VERSION_COLUMN_LIST.map(([property]) => property).filter((p) => p === 'id' || p === 'appId' || fields.has(p));
  return properties.map((property) => VERSION_COLUMN_SQL.get(property)!(v)).join(', ');
}

/** Timestamps of a version that arrived as JSON (see reviveDates). */
export const VERSION_DATES = ['publishedAt', 'createdAt', 'updatedAt', 'rolloutStartedAt', 'rolloutUpdatedAt', 'rolloutNextStepAt'] as const;

/**
 * App.latestVersion, the one definition: the fully rolled out version with the highest
 * versionCode of the app `a` (an alias of a row with an `id`), as a subquery for LATERAL joins;
 * with `fields`, only the columns those AppVersion fields need.
 * Served by the partial index idx_versions_latest_complete.
 */
export const latestVersionSql = (a: string, fields: ReadonlySet<string> | null = null) => `
  SELECT ${versionColumnsFor('v', fields)} FROM app_versions v
   WHERE v.app_id = ${a}.id AND ${fullyRolledOutSql('v')} ORDER BY v.version_code DESC LIMIT 1`;
