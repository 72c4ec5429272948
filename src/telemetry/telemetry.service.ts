import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import type { ReadQueries } from '../db/reads';
import { type ColumnMap, selectColumns } from '../db/sql';
import { type ConnectionData, type CursorKey, cursorPart, type Page, type PageArgs, pageOrder, parsePage, pastCursor, toConnection } from '../graphql/connection';
import { badInput } from '../graphql/errors';
import type { DeviceIdHasher } from './device-id';
import { admitBatch, type IngestResult, type ItemReader, MAX_FUTURE_MS } from './ingest-batch';
import { type PartitionManager, retentionCutoff } from './partitions';
import { type TelemetryColumns, TelemetryWriter } from './telemetry-writer';
import { APP_ACCESS_COLUMNS, type AppAccess, assertMayReadTelemetry } from './telemetry-access';
import type { TelemetryDailyRow } from './telemetry-daily.entity';
import type { TelemetryEvent } from './telemetry-event.entity';

export const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]{0,49}$/;
const EVENT_TYPE_HINT = 'must start with a letter and contain only letters, digits and _ . : - (at most 50)';
const EVENT_ID = /^[\x21-\x7e]{1,64}$/;
const EVENT_ID_HINT = 'must be 1 to 64 visible ASCII characters';
const EVENT_DATA_MAX_BYTES = 32 * 1024;
/** A day-range query reads at most this many days of rollups. */
export const MAX_DAILY_RANGE_DAYS = 366;

const TELEMETRY_FIELDS = new Set(['appId', 'deviceId', 'eventType', 'eventData', 'mosisVersion', 'appVersion', 'timestamp', 'eventId']);

export interface DailyRange {
  /** Inclusive UTC dates, YYYY-MM-DD. */
  from: string;
  to: string;
  eventType: string | null;
}

export class TelemetryService {
  private readonly writer: TelemetryWriter;

  constructor(
    private readonly db: DataSource,
    private readonly reads: ReadQueries,
    partitions: PartitionManager,
    private readonly deviceIds: DeviceIdHasher,
    private readonly options: { retentionDays: number; deviceMemoKeys: number },
  ) {
    this.writer = new TelemetryWriter(db, reads, partitions, options);
  }

  /**
   * POST /v1/telemetry: validates the whole batch, then stores it with its rollups in one
   * transaction. Items whose eventId (with the same timestamp) is already stored count as
   * duplicates. `warn` hears about partitions that could not be created (see TelemetryWriter).
   */
  async ingest(principal: Principal, body: unknown, warn: (message: string) => void): Promise<IngestResult> {
    const now = Date.now();
    const cutoff = retentionCutoff(new Date(now), this.options.retentionDays);
    const window = {
      earliest: cutoff.getTime(),
      latest: now + MAX_FUTURE_MS,
      tooOld: `is older than the ${this.options.retentionDays}-day retention window (before ${cutoff.toISOString()})`,
    };
    const columns: TelemetryColumns = {
      appId: [], deviceHash: [], eventType: [], eventData: [], mosisVersion: [], appVersion: [], eventId: [], timestamp: [],
    };
    const count = await admitBatch(this.db, principal, body, TELEMETRY_FIELDS, (item: ItemReader) => {
      columns.appId.push(item.uuid('appId'));
      const deviceId = item.text('deviceId', { max: 256, multiline: true });
      columns.deviceHash.push(deviceId === null ? '' : this.deviceIds.hash(deviceId));
      columns.eventType.push(item.text('eventType', { max: 50, pattern: EVENT_TYPE, patternHint: EVENT_TYPE_HINT }) ?? '');
      columns.eventData.push(item.jsonObject('eventData', EVENT_DATA_MAX_BYTES));
      columns.mosisVersion.push(item.text('mosisVersion', { max: 20, optional: true }));
      columns.appVersion.push(item.text('appVersion', { max: 20, optional: true }));
      columns.eventId.push(item.text('eventId', { max: 64, optional: true, pattern: EVENT_ID, patternHint: EVENT_ID_HINT }));
      columns.timestamp.push(item.timestamp('timestamp', window));
    });

    const accepted = await this.writer.store(columns, warn);
    return { accepted, duplicates: count - accepted };
  }

  /** The read rule for telemetry and crash reports of one app (see assertMayReadTelemetry). */
  async authorizeRead(principal: Principal, appId: string): Promise<void> {
    const [app] = await this.reads.rows<AppAccess>(`SELECT ${APP_ACCESS_COLUMNS} FROM apps a WHERE a.id = $1`, [appId]);
    assertMayReadTelemetry(principal, app ?? null);
  }

  /**
   * Runs `check` (argument validation) only once the caller may read the app's telemetry, so a
   * stranger gets NOT_FOUND/FORBIDDEN rather than a description of their input. The happy path
   * pays nothing: the read itself authorizes (see dailyOfApp, events).
   */
  async validatedAfterAuthorization<T>(principal: Principal, appId: string, check: () => T): Promise<T> {
    try {
      return check();
    } catch (error) {
      await this.authorizeRead(principal, appId);
      throw error;
    }
  }

  /** One app's rollup rows, authorized by the app row read in the same statement. */
  async dailyOfApp(principal: Principal, appId: string, range: DailyRange): Promise<TelemetryDailyRow[]> {
    const params: unknown[] = [appId, range.from, range.to];
    const rows = await this.reads.rows<AppAccess & { rows: string | null }>(
      `SELECT ${APP_ACCESS_COLUMNS}, (
                SELECT string_agg(d.date || ' ' || d.count || ' ' || d.unique_devices || ' ' || d.event_type, ' ' ORDER BY d.date, d.event_type)
                  FROM telemetry_daily d WHERE ${dailyWhere('a.id', params, range)}) AS rows
              ${principal.check?.column(params) ?? ''}
         FROM apps a WHERE a.id = $1`,
      params,
    );
    principal.check?.recordFrom(rows);
    const [row] = rows;
    assertMayReadTelemetry(principal, row ?? null);
    return row.rows === null ? [] : parseDailyText(appId, row.rows);
  }

  /** The rollups of many apps in one statement (App.telemetryDaily). */
  async dailyForApps(appIds: readonly string[], range: DailyRange): Promise<TelemetryDailyRow[][]> {
    const params: unknown[] = [appIds, range.from, range.to];
    const rows = await this.reads.rows<TelemetryDailyRow & { appId: string }>(
      `SELECT a.id AS "appId", r.* FROM unnest($1::uuid[]) AS a(id) CROSS JOIN LATERAL (${dailySql('a.id', params, range)}) r
        ORDER BY a.id, r.date, r."eventType"`,
      params,
    );
    const byApp = new Map<string, TelemetryDailyRow[]>(appIds.map((id) => [id, []]));
    for (const row of rows) byApp.get(row.appId)?.push(row);
    return appIds.map((id) => byApp.get(id) ?? []);
  }

  /**
   * Newest first, keyset on ("timestamp", id): served by idx_telemetry_app, touching only the
   * partitions the range overlaps. `from` and `to` are inclusive.
   */
  async events(
    principal: Principal,
    appId: string,
    filter: EventFilter,
    page: Page,
  ): Promise<ConnectionData<TelemetryEvent>> {
    const params: unknown[] = [appId];
    const matching = eventConditions('$1', filter, 'e', params);
    const countParams = [...params];
    const where = page.cursor ? [...matching, newestEventFirstResume(page, params, 'e')] : matching;
    // The page as one JSON value beside the app row that authorizes it: one statement, one parse.
    const rows = await this.reads.rows<AppAccess & { rows: EventJson[] | null }>(
      `SELECT ${APP_ACCESS_COLUMNS}, (SELECT json_agg(r ORDER BY ${pageOrder(page, 'r."timestamp" DESC, r.id::bigint DESC')}) FROM (
           SELECT ${selectColumns(EVENT_JSON_COLUMNS, 'e')}
             FROM telemetry_events e
            WHERE ${where.join(' AND ')}
            ORDER BY ${pageOrder(page, NEWEST_EVENT_FIRST('e'))}
            LIMIT ${page.limit + 1}) r) AS rows ${principal.check?.column(params) ?? ''}
         FROM apps a WHERE a.id = $1`,
      params,
    );
    principal.check?.recordFrom(rows);
    const [row] = rows;
    assertMayReadTelemetry(principal, row ?? null);
    const events = (row.rows ?? []).map(reviveEvent);
    return toConnection(events, page, (event) => [event.utc, event.id], async () => {
      const [{ count }] = await this.db.query(`SELECT count(*)::text AS count FROM telemetry_events e WHERE ${matching.join(' AND ')}`, countParams);
      return count;
    });
  }
}

/** A telemetry event as json_agg returns it: the timestamp a UTC time without zone, to the microsecond, as text. */
type EventJson = Omit<TelemetryEvent, 'timestamp'> & { timestamp: string };

/**
 * The API's event from json_agg's: the UTC time keeps its microseconds as `utc`, for the cursor;
 * the Date the API returns has milliseconds. In place (the parsed rows are this request's own):
 * a copy per event cost more than the rest of its handling.
 */
function reviveEvent(json: EventJson): TelemetryEvent & { utc: string } {
  const event = json as unknown as TelemetryEvent & { utc: string };
  event.utc = json.timestamp;
  event.timestamp = new Date(`${event.utc}Z`);
  return event;
}

/** Rollup rows (as the API returns them) of the app `appIdSql` in a day range; $2/$3 are from/to. */
function dailySql(appIdSql: string, params: unknown[], range: DailyRange): string {
  return `SELECT to_char(d.date, 'YYYY-MM-DD') AS date, d.event_type AS "eventType",
                 d.count::text AS count, d.unique_devices::text AS "uniqueDevices"
            FROM telemetry_daily d
           WHERE ${dailyWhere(appIdSql, params, range)}`;
}

/** Which rollup rows (alias `d`) a day-range read returns; $2/$3 are from/to. */
function dailyWhere(appIdSql: string, params: unknown[], range: DailyRange): string {
  const typeFilter = range.eventType === null ? '' : `AND d.event_type = $${params.push(range.eventType)}`;
  return `d.app_id = ${appIdSql} AND d.date BETWEEN $2::date AND $3::date ${typeFilter}`;
}

/**
 * Rollup rows sent as one text, "date count uniqueDevices eventType" after one another, all
 * separated by single spaces: for PostgreSQL 2.6 times cheaper to build than json_agg of the rows
 * (720 rows, pgbench), and a split instead of a JSON parse here. Dates are ISO (node-postgres
 * needs DateStyle ISO anyway), counts are digits, and event types hold no space (a CHECK
 * constraint keeps them to EVENT_TYPE).
 */
function parseDailyText(appId: string, text: string): TelemetryDailyRow[] {
  const parts = text.split(' ');
  const rows: TelemetryDailyRow[] = [];
  for (let i = 0; i + 3 < parts.length; i += 4) {
    rows.push({ appId, date: parts[i], count: parts[i + 1], uniqueDevices: parts[i + 2], eventType: parts[i + 3] });
  }
  return rows;
}

/** Checks a day range: inclusive, `from` not after `to`, at most MAX_DAILY_RANGE_DAYS days. */
export function dailyRange(from: Date, to: Date, eventType: string | null | undefined): DailyRange {
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;
  if (days < 1) throw badInput('to', 'must not be before from');
  if (days > MAX_DAILY_RANGE_DAYS) throw badInput('to', `the range covers ${days} days; at most ${MAX_DAILY_RANGE_DAYS} per query`);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10), eventType: checkedEventType(eventType) };
}

/** An event type filter, if any, must be a possible event type. */
export function checkedEventType(eventType: string | null | undefined): string | null {
  if (eventType == null) return null;
  if (!EVENT_TYPE.test(eventType)) throw badInput('eventType', EVENT_TYPE_HINT);
  return eventType;
}

/** Events, newest first, resume after (timestamp, id). */
export const EVENT_CURSOR: CursorKey = [cursorPart.timestamp, cursorPart.int8];

/** The telemetry_events columns the API shows, by entity property name. */
export const EVENT_COLUMN_SQL: ColumnMap = {
  id: (e) => `${e}.id::text`,
  appId: (e) => `${e}.app_id`,
  eventType: (e) => `${e}.event_type`,
  eventData: (e) => `${e}.event_data`,
  mosisVersion: (e) => `${e}.mosis_version`,
  appVersion: (e) => `${e}.app_version`,
  timestamp: (e) => `${e}."timestamp"`,
};

/** As json_agg carries them to reviveEvent: the timestamp in UTC to the microsecond, for cursors. */
const EVENT_JSON_COLUMNS: ColumnMap = { ...EVENT_COLUMN_SQL, timestamp: (e) => `${e}."timestamp" AT TIME ZONE 'UTC'` };

/** The events list's order. */
export const NEWEST_EVENT_FIRST = (e: string) => `${e}."timestamp" DESC, ${e}.id DESC`;

export interface EventFilter {
  from: Date;
  to: Date;
  eventType: string | null;
}

/** The conditions on the telemetry_events alias `e` that pick one app's events in a time range (inclusive). */
export function eventConditions(appIdSql: string, filter: EventFilter, e: string, params: unknown[]): string[] {
  const where = [`${e}.app_id = ${appIdSql}`, `${e}."timestamp" BETWEEN $${params.push(filter.from)} AND $${params.push(filter.to)}`];
  if (filter.eventType !== null) where.push(`${e}.event_type = $${params.push(filter.eventType)}`);
  return where;
}

/** The keyset condition that resumes the events list past the page's cursor. */
export function newestEventFirstResume(page: Page, params: unknown[], e: string): string {
  const [timestamp, id] = page.cursor!;
  return `(${e}."timestamp", ${e}.id) ${pastCursor(page, 'DESC')} ($${params.push(timestamp)}::timestamptz, $${params.push(id)}::bigint)`;
}

/** What `telemetryEvents(…)` asks for besides the app, its arguments checked (after authorization: see validatedAfterAuthorization). */
export function eventListRequest(args: PageArgs & { from: Date; to: Date; eventType?: string | null }): { filter: EventFilter; page: Page } {
  if (args.from > args.to) throw badInput('to', 'must not be before from');
  return { filter: { from: args.from, to: args.to, eventType: checkedEventType(args.eventType) }, page: parsePage(args, EVENT_CURSOR) };
}
