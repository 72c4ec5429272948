import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import type { ReadQueries } from '../db/reads';
import { type ConnectionData, type CursorKey, cursorPart, type Page, type PageArgs, pageOrder, parsePage, pastCursor, toConnection } from '../graphql/connection';
import { badInput } from '../graphql/errors';
import type { DeviceIdHasher } from '../telemetry/device-id';
import { APP_ACCESS_COLUMNS, type AppAccess, assertMayReadTelemetry } from '../telemetry/telemetry-access';
import { admitBatch, type IngestResult, type ItemReader, MAX_FUTURE_MS } from '../telemetry/ingest-batch';
import { retentionCutoff } from '../telemetry/partitions';
import { outboxCtes } from '../webhooks/outbox';
import { crashIdentity } from './crash-fingerprint';
import type { CrashGroup } from './crash-group.types';

const CRASH_FIELDS = new Set([
  'appId', 'appVersion', 'deviceId', 'crashType', 'message', 'stackTrace', 'context', 'mosisVersion', 'timestamp', 'eventId',
]);
const EVENT_ID = /^[\x21-\x7e]{1,64}$/;
const CONTEXT_MAX_BYTES = 32 * 1024;
const MESSAGE_MAX = 8 * 1024;
const STACK_TRACE_MAX = 256 * 1024;
/** Crash reports are kept indefinitely; timestamps before this are a broken device clock. */
const EARLIEST_CRASH = Date.UTC(2000, 0, 1);

/**
 * Version health from the reports stored: a crashed device is an active one too. Each (app, UTC
 * day, version, device) goes into the version's device set marked crashed; a row that goes in is
 * a device new to that version-day (active and crashed), a row whose `crashed` flips is an active
 * device that crashed for the first time that day (crashed only); crashed_after_seen tells them apart.
 * Days before the retention cutoff are left out: their device sets are gone, so a count could no
 * longer tell new devices from known ones.
 */
const VERSION_CRASH_CTES = `
crashed_devices AS (
  INSERT INTO version_daily_devices AS d (app_id, date, app_version, device_hash, crashed)
  SELECT DISTINCT app_id, date, app_version, decode(device_id, 'hex'), true FROM inserted
   WHERE date >= $13::date
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (app_id, date, app_version, device_hash) DO UPDATE SET crashed = true, crashed_after_seen = true WHERE NOT d.crashed
  RETURNING app_id, date, app_version, NOT crashed_after_seen AS is_new
), version_rollup AS (
  INSERT INTO version_health_daily AS h (app_id, date, app_version, active_devices, crashed_devices)
  SELECT app_id, date, app_version, count(*) FILTER (WHERE is_new), count(*) FROM crashed_devices GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT (app_id, date, app_version) DO UPDATE
    SET active_devices = h.active_devices + excluded.active_devices, crashed_devices = h.crashed_devices + excluded.crashed_devices
)`;

/**
 * Stores crash reports and the group each belongs to, in one statement (one transaction):
 * reports are idempotent on (app, eventId); a group row is created with the first report of a
 * new fingerprint, taking its title from the earliest such report in the batch, and announced to
 * webhooks (crash_group.created) through the outbox. Rows are written
 * in key order so concurrent batches cannot deadlock.
 */
const INGEST_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
                       $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::text[])
    AS c(app_id, app_version, device_id, crash_type, message, stack_trace, context, mosis_version, fingerprint, event_id, ts, title)
), inserted AS (
  INSERT INTO crash_reports (app_id, app_version, device_id, crash_type, message, stack_trace, context, mosis_version,
                             fingerprint, event_id, "timestamp")
  SELECT app_id, app_version, device_id, crash_type, message, stack_trace, context, mosis_version, fingerprint, event_id, ts
    FROM input
    ORDER BY app_id, event_id
  ON CONFLICT (app_id, event_id) WHERE event_id IS NOT NULL DO NOTHING
  RETURNING app_id, fingerprint, app_version, device_id, ("timestamp" AT TIME ZONE 'UTC')::date AS date
), new_groups AS (
  INSERT INTO crash_groups (app_id, fingerprint, crash_type, title)
  SELECT DISTINCT ON (app_id, fingerprint) app_id, fingerprint, crash_type, title
    FROM input
   WHERE (app_id, fingerprint) IN (SELECT app_id, fingerprint FROM inserted)
   ORDER BY app_id, fingerprint, ts
  ON CONFLICT DO NOTHING
  RETURNING app_id, fingerprint, crash_type, title
), crash_group_events AS (
  SELECT a.developer_id, g.app_id, 'crash_group.created'::text AS type,
         jsonb_build_object('appId', g.app_id, 'fingerprint', g.fingerprint, 'crashType', g.crash_type, 'title', g.title) AS data
    FROM new_groups g JOIN apps a ON a.id = g.app_id
), ${outboxCtes('crash_group_events')}, ${VERSION_CRASH_CTES}
SELECT count(*)::int AS accepted FROM inserted`;

export class CrashService {
  constructor(
    private readonly db: DataSource,
    private readonly reads: ReadQueries,
    private readonly deviceIds: DeviceIdHasher,
    private readonly options: { retentionDays: number },
  ) {}

  /** POST /v1/crashes: validates the whole batch, fingerprints each report, stores it in one transaction. */
  async ingest(principal: Principal, body: unknown): Promise<IngestResult> {
    const window = { earliest: EARLIEST_CRASH, latest: Date.now() + MAX_FUTURE_MS, tooOld: 'is before 2000-01-01' };
    const columns = {
      appId: [] as string[], appVersion: [] as (string | null)[], deviceHash: [] as string[], crashType: [] as string[],
      message: [] as (string | null)[], stackTrace: [] as (string | null)[], context: [] as (string | null)[],
      mosisVersion: [] as (string | null)[], fingerprint: [] as string[], eventId: [] as (string | null)[],
      timestamp: [] as string[], title: [] as string[],
    };
    const count = await admitBatch(this.db, principal, body, CRASH_FIELDS, (item: ItemReader) => {
      columns.appId.push(item.uuid('appId'));
      columns.appVersion.push(item.text('appVersion', { max: 20 }));
      const deviceId = item.text('deviceId', { max: 256, multiline: true });
      columns.deviceHash.push(deviceId === null ? '' : this.deviceIds.hash(deviceId));
      const crashType = item.text('crashType', { max: 50 }) ?? '';
      const message = item.text('message', { max: MESSAGE_MAX, optional: true, multiline: true });
      const stackTrace = item.text('stackTrace', { max: STACK_TRACE_MAX, optional: true, multiline: true });
      columns.crashType.push(crashType);
      columns.message.push(message);
      columns.stackTrace.push(stackTrace);
      columns.context.push(item.jsonObject('context', CONTEXT_MAX_BYTES));
      columns.mosisVersion.push(item.text('mosisVersion', { max: 20, optional: true }));
      columns.eventId.push(item.text('eventId', { max: 64, optional: true, pattern: EVENT_ID, patternHint: 'must be 1 to 64 visible ASCII characters' }));
      columns.timestamp.push(item.timestamp('timestamp', window));
      const { fingerprint, title } = crashIdentity(crashType, stackTrace, message);
      columns.fingerprint.push(fingerprint);
      columns.title.push(title);
    });
    const [{ accepted }] = await this.db.query(INGEST_SQL, [
      columns.appId, columns.appVersion, columns.deviceHash, columns.crashType, columns.message, columns.stackTrace,
      columns.context, columns.mosisVersion, columns.fingerprint, columns.eventId, columns.timestamp, columns.title,
      retentionCutoff(new Date(), this.options.retentionDays).toISOString().slice(0, 10),
    ]);
    return { accepted, duplicates: count - accepted };
  }

  /**
   * Most crashes first (ties by fingerprint), keyset on (count, fingerprint). Counts come from
   * crash_reports for exactly the range asked, through idx_crashes_app (app_id, "timestamp"). The
   * page comes as one JSON value beside the app row that authorizes it: one statement.
   */
  async groups(principal: Principal, appId: string, range: CrashRange, page: Page): Promise<ConnectionData<CrashGroup>> {
    const params: unknown[] = [appId];
    const matching = crashConditions('$1', range, params);
    const countParams = [...params];
    const rows = await this.reads.rows<AppAccess & { rows: CrashGroupJson[] | null }>(
      `SELECT ${APP_ACCESS_COLUMNS}, (
         SELECT json_agg(p ORDER BY ${pageOrder(page, MOST_CRASHES_FIRST('p'))})
           FROM (${crashGroupPageSql('$1', matching, page, page.limit + 1, params)}) p
       ) AS rows ${principal.check?.column(params) ?? ''}
         FROM apps a WHERE a.id = $1`,
      params,
    );
    principal.check?.recordFrom(rows);
    const [row] = rows;
    assertMayReadTelemetry(principal, row ?? null);
    const groups = (row.rows ?? []).map((group) => ({ ...group, firstSeen: new Date(group.firstSeen), lastSeen: new Date(group.lastSeen) }));
    return toConnection(groups, page, (group) => [group.count, group.fingerprint], async () => {
      const [{ count }] = await this.db.query(
        `SELECT count(DISTINCT fingerprint)::int AS count FROM crash_reports WHERE ${matching.join(' AND ')}`,
        countParams,
      );
      return count;
    });
  }
}

/** The crash groups list's order, over rows of crashGroupPageSql (count is text there). */
export const MOST_CRASHES_FIRST = (c: string) => `${c}.count::bigint DESC, ${c}.fingerprint ASC`;

/** The conditions on crash_reports that pick one app's reports in a time range (inclusive). */
export function crashConditions(appIdSql: string, range: CrashRange, params: unknown[]): string[] {
  const where = [`app_id = ${appIdSql}`];
  if (range.from) where.push(`"timestamp" >= $${params.push(range.from)}`);
  if (range.to) where.push(`"timestamp" <= $${params.push(range.to)}`);
  return where;
}

/**
 * One page of an app's crash groups with their statistics over the reports `matching` picks,
 * counted from crash_reports for exactly that range (through idx_crashes_app), in the page's
 * order, as CrashGroup-shaped rows (counts as text). Served to the resolvers as JSON and
 * rendered whole by SQL answers.
 */
export function crashGroupPageSql(appIdSql: string, matching: string[], page: Page, limit: number, params: unknown[]): string {
  const [count, fingerprint] = page.cursor ?? [];
  const resume = page.cursor
    ? `WHERE s.count ${pastCursor(page, 'DESC')} $${params.push(count)}::bigint OR (s.count = $${params.length}::bigint AND s.fingerprint ${pastCursor(page, 'ASC')} $${params.push(fingerprint)})`
    : '';
  return `
    WITH stats AS (
      SELECT fingerprint, count(*) AS count, count(DISTINCT device_id) AS affected_devices,
             min("timestamp") AS first_seen, max("timestamp") AS last_seen, array_agg(DISTINCT app_version) AS app_versions
        FROM crash_reports
       WHERE ${matching.join(' AND ')}
       GROUP BY fingerprint
    )
    SELECT s.fingerprint, g.crash_type AS "crashType", g.title, s.count::text AS count,
           s.affected_devices::text AS "affectedDevices", s.first_seen AS "firstSeen", s.last_seen AS "lastSeen",
           s.app_versions AS "appVersions"
      FROM stats s JOIN crash_groups g ON g.app_id = ${appIdSql} AND g.fingerprint = s.fingerprint
      ${resume}
     ORDER BY ${pageOrder(page, 's.count DESC, s.fingerprint ASC')}
     LIMIT ${limit}`;
}

/** A time range of crashGroups; `from` not after `to`. */
export interface CrashRange {
  from: Date | null;
  to: Date | null;
}

function crashRange(from: Date | null | undefined, to: Date | null | undefined): CrashRange {
  if (from && to && from > to) throw badInput('to', 'must not be before from');
  return { from: from ?? null, to: to ?? null };
}

/** What `crashGroups(…)` asks for besides the app, its arguments checked (after authorization: see validatedAfterAuthorization). */
export function crashGroupsRequest(args: PageArgs & { from?: Date | null; to?: Date | null }): { range: CrashRange; page: Page } {
  return { range: crashRange(args.from, args.to), page: parsePage(args, CRASH_GROUP_CURSOR) };
}

/** A crash group as json_agg returns it: the times still strings. */
type CrashGroupJson = Omit<CrashGroup, 'firstSeen' | 'lastSeen'> & { firstSeen: string; lastSeen: string };

/** Crash groups, most crashes first, resume after (count, fingerprint). */
export const CRASH_GROUP_CURSOR: CursorKey = [cursorPart.int8, cursorPart.sha256];
