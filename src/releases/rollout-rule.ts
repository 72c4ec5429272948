/**
 * Who is offered a published version. One place for the rule, as SQL over an `app_versions`
 * alias, so latestVersion, appUpdate and every other reader agree.
 *
 * - latestVersion (the catalog): the highest published version that is fully rolled out
 *   (COMPLETE; a publish without a staged rollout is COMPLETE at once).
 * - appUpdate (a device): also versions whose ACTIVE or PAUSED rollout includes the device's
 *   bucket; HALTED versions are offered to nobody.
 */
export enum RolloutState {
  ACTIVE = 'active',
  PAUSED = 'paused',
  HALTED = 'halted',
  COMPLETE = 'complete',
}

/** App Store Connect's phased release: the percentages a phased rollout steps through. */
export const PHASES = [1, 2, 5, 10, 20, 50, 100] as const;

/**
 * A device's bucket in 0..9999, as SQL over an app id and a device id expression: the first 4 bytes
 * of SHA-256("<appId>:<deviceId>") (the app id in its lowercase text form, as App.id shows it) as
 * an unsigned big-endian integer, mod 10,000. Fixed per app and device, so raising a percentage
 * only adds devices, and each app's rollouts draw a different sample.
 */
export function deviceBucketSql(appId: string, deviceId: string): string {
  return `(('x' || encode(substr(sha256(convert_to(lower(${appId}::text) || ':' || ${deviceId}, 'UTF8')), 1, 4), 'hex'))::bit(32)::bigint % 10000)`;
}

/** Fully rolled out, as SQL over an app_versions alias (the predicate of the partial index idx_versions_latest_complete). */
export function fullyRolledOutSql(v: string): string {
  return `(${v}.status = 'published' AND ${v}.rollout_state = 'complete')`;
}

/** Offered to the device whose bucket is the SQL expression `bucket` (see deviceBucketSql). */
export function offeredToDeviceSql(v: string, bucket: string): string {
  return `(${fullyRolledOutSql(v)} OR (${v}.status = 'published' AND ${v}.rollout_state IN ('active', 'paused')
            AND ${bucket} < ${v}.rollout_percentage * 100))`;
}
