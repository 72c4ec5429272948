import { fullyRolledOutSql } from '../releases/rollout-rule';

/** Every app_versions column under its entity property name, so raw rows are AppVersion-shaped as they arrive. */
export const VERSION_COLUMNS = (v: string) => `
  ${v}.id, ${v}.app_id AS "appId", ${v}.version_code AS "versionCode", ${v}.version_name AS "versionName",
  ${v}.package_url AS "packageUrl", ${v}.package_size::text AS "packageSize", ${v}.package_sha256 AS "packageSha256",
  ${v}.signature, ${v}.signing_key_id AS "signingKeyId", ${v}.permissions, ${v}.min_mosis_version AS "minMosisVersion",
  ${v}.release_notes AS "releaseNotes", ${v}.status, ${v}.review_notes AS "reviewNotes",
  ${v}.published_at AS "publishedAt", ${v}.created_at AS "createdAt", ${v}.updated_at AS "updatedAt",
  ${v}.rollout_percentage AS "rolloutPercentage", ${v}.rollout_state AS "rolloutState", ${v}.rollout_phased AS "rolloutPhased",
  ${v}.rollout_halt_below AS "rolloutHaltBelow", ${v}.rollout_halted_reason AS "rolloutHaltedReason",
  ${v}.rollout_started_at AS "rolloutStartedAt", ${v}.rollout_updated_at AS "rolloutUpdatedAt",
  ${v}.rollout_next_step_at AS "rolloutNextStepAt"`;

/** Timestamps of a version that arrived as JSON (see reviveDates). */
export const VERSION_DATES = ['publishedAt', 'createdAt', 'updatedAt', 'rolloutStartedAt', 'rolloutUpdatedAt', 'rolloutNextStepAt'] as const;

/**
 * App.latestVersion, the one definition: the fully rolled out version with the highest
 * versionCode of the app `a` (an alias of a row with an `id`), as a subquery for LATERAL joins.
 * Served by the partial index idx_versions_latest_complete.
 */
export const latestVersionSql = (a: string) => `
  SELECT ${VERSION_COLUMNS('v')} FROM app_versions v
   WHERE v.app_id = ${a}.id AND ${fullyRolledOutSql('v')} ORDER BY v.version_code DESC LIMIT 1`;
