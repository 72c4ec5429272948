import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createApiKey, signUp, type SignedUpDeveloper } from './factories';
import type { TestServer } from './test-server';

/** An app row straight into the table, so telemetry tests do not depend on the catalog's mutations. */
export async function insertApp(db: DataSource, developerId: string, status: 'draft' | 'published' | 'suspended' = 'draft'): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO apps (developer_id, package_id, name, status) VALUES ($1, $2, 'Telemetry Test App', $3) RETURNING id`,
    [developerId, `com.telemetry.app${randomBytes(5).toString('hex')}`, status],
  );
  return id;
}

export interface Ingester {
  developer: SignedUpDeveloper;
  appId: string;
  /** An API key with telemetry:write and telemetry:read. */
  key: string;
}

/** A developer with an app and an API key that may send and read its telemetry. */
export async function ingester(server: TestServer, status?: 'draft' | 'published'): Promise<Ingester> {
  const developer = await signUp(server);
  const appId = await insertApp(server.db, developer.id, status);
  const { secret } = await createApiKey(server, developer.token, ['telemetry:write', 'telemetry:read']);
  return { developer, appId, key: secret };
}

export interface IngestResponse {
  status: number;
  body: any;
}

/** POSTs a batch: an array as JSON, a string as NDJSON as it stands. */
export async function post(
  server: TestServer,
  path: '/v1/telemetry' | '/v1/crashes',
  token: string | null,
  batch: unknown,
): Promise<IngestResponse> {
  const ndjson = typeof batch === 'string';
  const response = await server.fetch(path, {
    method: 'POST',
    headers: {
      'content-type': ndjson ? 'application/x-ndjson' : 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: ndjson ? batch : JSON.stringify(batch),
  });
  return { status: response.status, body: await response.json() };
}

/** A valid telemetry event for the app; `overrides` replace fields (undefined removes one). */
export function telemetryEvent(appId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withOverrides(
    {
      appId,
      deviceId: 'device-1',
      eventType: 'app_open',
      eventData: { screen: 'home' },
      mosisVersion: '1.4.0',
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      eventId: randomBytes(8).toString('hex'),
    },
    overrides,
  );
}

/** A valid crash report for the app. */
export function crashReport(appId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withOverrides(
    {
      appId,
      appVersion: '2.1.0',
      deviceId: 'device-1',
      crashType: 'java.lang.NullPointerException',
      message: 'Attempt to invoke virtual method on a null object reference',
      stackTrace: [
        'java.lang.NullPointerException: Attempt to invoke virtual method on a null object reference',
        '    at com.example.notes.NoteEditor.save(NoteEditor.java:142)',
        '    at com.example.notes.NoteEditor$1.onClick(NoteEditor.java:98)',
        '    at android.view.View.performClick(View.java:7448)',
      ].join('\n'),
      context: { screen: 'editor' },
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      eventId: randomBytes(8).toString('hex'),
    },
    overrides,
  );
}

function withOverrides(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const item = { ...base, ...overrides };
  for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
  return item;
}

/** Midday UTC `daysAgo` days back, as an ISO string: far from day boundaries. */
export function daysAgo(days: number, hour = 12): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days, hour)).toISOString();
}

/**
 * The apps' rollups as stored (telemetry_daily; version_health_daily's device counts) beside the
 * same figures computed from their raw events and crash reports: what the rollups must equal.
 */
export async function rollupsBesideRawEvents(db: DataSource, appIds: string[]) {
  const [daily, dailyFromRaw, versions, versionsFromRaw] = await Promise.all([
    db.query(
      `SELECT app_id, to_char(date, 'YYYY-MM-DD') AS date, event_type, count::int, unique_devices::int
         FROM telemetry_daily WHERE app_id = ANY($1) ORDER BY 1, 2, 3`,
      [appIds],
    ),
    db.query(
      `SELECT app_id, to_char(("timestamp" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS date, event_type,
              count(*)::int AS count, count(DISTINCT device_id)::int AS unique_devices
         FROM telemetry_events WHERE app_id = ANY($1) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [appIds],
    ),
    db.query(
      `SELECT app_id, to_char(date, 'YYYY-MM-DD') AS date, app_version, active_devices AS active, crashed_devices AS crashed
         FROM version_health_daily WHERE app_id = ANY($1) ORDER BY 1, 2, app_version COLLATE "C"`,
      [appIds],
    ),
    db.query(
      `WITH seen AS (
         SELECT app_id, app_version, ("timestamp" AT TIME ZONE 'UTC')::date AS date, device_id, false AS crashed
           FROM telemetry_events WHERE app_id = ANY($1) AND app_version IS NOT NULL
         UNION ALL
         SELECT app_id, app_version, ("timestamp" AT TIME ZONE 'UTC')::date, device_id, true FROM crash_reports WHERE app_id = ANY($1)
       )
       SELECT app_id, to_char(date, 'YYYY-MM-DD') AS date, app_version, count(DISTINCT device_id)::int AS active,
              (count(DISTINCT device_id) FILTER (WHERE crashed))::int AS crashed
         FROM seen GROUP BY 1, 2, 3 ORDER BY 1, 2, app_version COLLATE "C"`,
      [appIds],
    ),
  ]);
  return { daily, dailyFromRaw, versions, versionsFromRaw };
}
