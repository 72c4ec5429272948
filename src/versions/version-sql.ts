import { type ColumnMap, selectColumns } from '../db/sql';
import { fullyRolledOutSql } from '../releases/rollout-rule';

/** The app_versions columns by entity property name. */
export const VERSION_COLUMN_SQL: ColumnMap = {
  id: (v) => `${v}.id`,
  appId: (v) => `${v}.app_id`,
  versionCode: (v) => `${v}.version_code`,
  versionName: (v) => `${v}.version_name`,
  packageUrl: (v) => `${v}.package_url`,
  packageSize: (v) => `${v}.package_size::text`,
  packageSha256: (v) => `${v}.package_sha256`,
  signature: (v) => `${v}.signature`,
  signingKeyId: (v) => `${v}.signing_key_id`,
  permissions: (v) => `${v}.permissions`,
  minMosisVersion: (v) => `${v}.min_mosis_version`,
  releaseNotes: (v) => `${v}.release_notes`,
  status: (v) => `${v}.status`,
  reviewNotes: (v) => `${v}.review_notes`,
  publishedAt: (v) => `${v}.published_at`,
  createdAt: (v) => `${v}.created_at`,
  updatedAt: (v) => `${v}.updated_at`,
  rolloutPercentage: (v) => `${v}.rollout_percentage`,
  rolloutState: (v) => `${v}.rollout_state`,
  rolloutPhased: (v) => `${v}.rollout_phased`,
  rolloutHaltBelow: (v) => `${v}.rollout_halt_below`,
  rolloutHaltedReason: (v) => `${v}.rollout_halted_reason`,
  rolloutStartedAt: (v) => `${v}.rollout_started_at`,
  rolloutUpdatedAt: (v) => `${v}.rollout_updated_at`,
  rolloutNextStepAt: (v) => `${v}.rollout_next_step_at`,
};

/** Every app_versions column under its entity property name. */
export const VERSION_COLUMNS = (v: string) => selectColumns(VERSION_COLUMN_SQL, v);

/** Fields that are not columns but need none beyond id and appId. */
const FIELDS_OF_ID_AND_APP = new Set(['app', '__typename']);

/**
 * The columns a selection of AppVersion fields needs: the selected ones plus id and appId (what
 * `app` and the loaders key on). A field that is neither (a field resolver such as `rollout`)
 * may need any column, so then every column is read. Null selects every column.
 */
export function versionColumnsFor(v: string, fields: ReadonlySet<string> | null): string {
  if (fields === null || [...fields].some((field) => !(field in VERSION_COLUMN_SQL) && !FIELDS_OF_ID_AND_APP.has(field))) {
    return VERSION_COLUMNS(v);
  }
  const properties = Object.keys(VERSION_COLUMN_SQL).filter((p) => p === 'id' || p === 'appId' || fields.has(p));
  return properties.map((property) => `${VERSION_COLUMN_SQL[property](v)} AS "${property}"`).join(', ');
}

/** Timestamps of a version that arrived as JSON (see reviveDates). */
export const VERSION_DATES = ['publishedAt', 'createdAt', 'updatedAt', 'rolloutStartedAt', 'rolloutUpdatedAt', 'rolloutNextStepAt'] as const;

/**
 * App.latestVersion, the one definition: the fully rolled out version with the highest
 * versionCode of the app `a` (an alias of a row with an `id`), as a subquery for LATERAL joins;
 * with `fields`, only the columns those AppVersion fields need.
 * Served by the partial index idx_versions_latest_complete.
 */
export const latestVersionSql = (a: string, fields: ReadonlySet<string> | null = null) =>
  `SELECT ${versionColumnsFor('v', fields)} FROM ${latestVersionFrom(a, 'v')}`;

/** The same as a FROM item under the alias `v`. */
export const latestVersionFrom = (a: string, v: string) =>
  `app_versions ${v} WHERE ${v}.app_id = ${a}.id AND ${fullyRolledOutSql(v)} ORDER BY ${v}.version_code DESC LIMIT 1`;
