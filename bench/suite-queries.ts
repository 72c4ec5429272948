// The reads `npm run bench` times, each in three forms that must agree: the Mosis API's query,
// PostGraphile's query over the same tables (amber preset + connection filter, and the two
// functions of bench/peer/functions.sql), and one hand-written SQL statement, the oracle both
// answers are checked against before anything is timed. Q1–Q4 are those of the peer benchmark
// (shared/peer-bench, issue 9); Mosis and PostGraphile are asked for the same rows in the same order.
import type { Client } from 'pg';

/** Request parameters, read from the seeded database (the same for the same data). */
export interface BenchParams {
  packages: string[];
  developers: string[];
  busiest: { appId: string; from: string; to: string };
  appDays: { appId: string; day: string; nextDay: string }[];
  crashApps: string[];
  crashWindow: { from: string; to: string };
  searchWord: string;
  searchTag: string;
}

type Data = Record<string, any>;

interface Form {
  query: string;
  variables(p: BenchParams, i: number): Record<string, unknown>;
  /** The answer reduced to plain values, comparable across servers and the SQL. */
  canonical(data: Data): unknown;
}

export interface BenchQuery {
  name: string;
  what: string;
  /** How many distinct parameter values there are. */
  variants(p: BenchParams): number;
  mosis: Form;
  peer: Form;
  oracle: { sql: string; params(p: BenchParams, i: number): unknown[]; canonical(rows: Data[]): unknown };
}

const lower = (s: string) => s.toLowerCase();
const version = (v: Data | null) => v && [v.versionCode ?? v.version_code, v.versionName ?? v.version_name, String(v.packageSize ?? v.package_size)];
const firstNode = (connection: Data) => connection.edges[0]?.node ?? null;
const versionFields = 'versionCode versionName packageUrl packageSize minMosisVersion publishedAt';
const peerNewestPublished = `appVersionsByAppId(condition: {status: "published"}, orderBy: VERSION_CODE_DESC, first: 1) {
          edges { node { ${versionFields} } }
        }`;
const latestPublishedSql = (app: string) => `LEFT JOIN LATERAL (
    SELECT version_code, version_name, package_size FROM app_versions v
     WHERE v.app_id = ${app}.id AND v.status = 'published' ORDER BY v.version_code DESC LIMIT 1) v ON true`;
const event = (e: Data) => [String(e.rowId ?? e.id), e.appId ?? e.app_id, e.eventType ?? e.event_type, e.eventData ?? e.event_data,
  e.mosisVersion ?? e.mosis_version, new Date(e.timestamp).getTime()];
const crashGroup = (g: Data) => [g.fingerprint, g.crashType ?? g.crash_type, g.title, String(g.count),
  String(g.affectedDevices ?? g.affected_devices), new Date(g.firstSeen ?? g.first_seen).getTime(),
  new Date(g.lastSeen ?? g.last_seen).getTime(), [...(g.appVersions ?? g.app_versions)].sort()];
const appList = (apps: Data[]) => apps.map((a) => [a.rowId ?? a.id, a.packageId ?? a.package_id, a.name]);

const SEARCH_PAGE = 20;
/** The ranking of src/apps/search.service.ts for one word (full text with prefix, plus trigram on the name) or one tag. */
const searchSql = `
  SELECT a.id, a.package_id, a.name FROM apps a
   WHERE a.status = 'published'
     AND ($1::text IS NULL OR a.search_vector @@ to_tsquery('english', $1 || ':*') OR lower(a.name) % $1 OR $1 <% lower(a.name))
     AND ($2::text IS NULL OR a.tags @> ARRAY[$2]::varchar[])
   ORDER BY CASE WHEN $1 IS NULL THEN 0::float8
                 ELSE ts_rank(a.search_vector, to_tsquery('english', $1 || ':*'))::float8 + 0.5 * word_similarity($1, lower(a.name))::float8 END DESC,
            lower(a.name), a.id
   LIMIT ${SEARCH_PAGE}`;

/** searchApps by one word or by one tag; PostGraphile's side is bench_peer.search_apps(query, tag). */
function searchQuery(name: string, what: string, by: 'query' | 'tag', value: (p: BenchParams) => string): BenchQuery {
  const mosisArgument = by === 'query' ? 'query: $value' : 'tags: [$value]';
  const peerArguments = by === 'query' ? 'query: $value, tag: null' : 'query: null, tag: $value';
  return {
    name,
    what,
    variants: () => 1,
    mosis: {
      query: `query ${name}($value: String!) { searchApps(${mosisArgument}, first: ${SEARCH_PAGE}) { edges { node { id packageId name } } } }`,
      variables: (p) => ({ value: value(p) }),
      canonical: ({ searchApps }) => appList(searchApps.edges.map((e: Data) => e.node)),
    },
    peer: {
      query: `query ${name}($value: String!) { benchPeerSearchApps(${peerArguments}, first: ${SEARCH_PAGE}) { edges { node { rowId packageId name } } } }`,
      variables: (p) => ({ value: value(p) }),
      canonical: ({ benchPeerSearchApps }) => appList(benchPeerSearchApps.edges.map((e: Data) => e.node)),
    },
    oracle: { sql: searchSql, params: (p) => (by === 'query' ? [value(p), null] : [null, value(p)]), canonical: appList },
  };
}

export const BENCH_QUERIES: BenchQuery[] = [
  {
    name: 'Q1',
    what: 'app by packageId + developer + newest published version',
    variants: (p) => p.packages.length,
    mosis: {
      query: `query Q1($packageId: String!) {
  app(packageId: $packageId) {
    id packageId name description category tags status
    developer { name email }
    latestVersion { ${versionFields} }
  }
}`,
      variables: (p, i) => ({ packageId: p.packages[i] }),
      canonical: ({ app: a }) => a && [a.packageId, a.name, a.tags, lower(a.status), a.developer.email, version(a.latestVersion)],
    },
    peer: {
      query: `query Q1($packageId: String!) {
  allApps(condition: {packageId: $packageId}, first: 1) {
    edges {
      node {
        rowId packageId name description category tags status
        developerByDeveloperId { name email }
        ${peerNewestPublished}
      }
    }
  }
}`,
      variables: (p, i) => ({ packageId: p.packages[i] }),
      canonical: ({ allApps }) => {
        const a = firstNode(allApps);
        return a && [a.packageId, a.name, a.tags, a.status, a.developerByDeveloperId.email, version(firstNode(a.appVersionsByAppId))];
      },
    },
    oracle: {
      sql: `SELECT a.package_id, a.name, a.tags, a.status, d.email, v.* FROM apps a JOIN developers d ON d.id = a.developer_id
            ${latestPublishedSql('a')} WHERE a.package_id = $1`,
      params: (p, i) => [p.packages[i]],
      canonical: ([r]) => r && [r.package_id, r.name, r.tags, r.status, r.email, r.version_code == null ? null : version(r)],
    },
  },
  {
    name: 'Q2',
    what: "a developer's 50 newest apps + newest published version each",
    variants: (p) => p.developers.length,
    mosis: {
      query: `query Q2($developerId: ID!) {
  apps(developerId: $developerId, first: 50) {
    edges { node { id packageId name description category tags status latestVersion { ${versionFields} } } }
  }
}`,
      variables: (p, i) => ({ developerId: p.developers[i] }),
      canonical: ({ apps }) => apps.edges.map(({ node: a }: Data) => [a.id, a.packageId, lower(a.status), version(a.latestVersion)]),
    },
    peer: {
      query: `query Q2($developerId: UUID!) {
  allApps(condition: {developerId: $developerId}, orderBy: [CREATED_AT_DESC, ROW_ID_DESC], first: 50) {
    edges {
      node {
        rowId packageId name description category tags status
        ${peerNewestPublished}
      }
    }
  }
}`,
      variables: (p, i) => ({ developerId: p.developers[i] }),
      canonical: ({ allApps }) => allApps.edges.map(({ node: a }: Data) => [a.rowId, a.packageId, a.status, version(firstNode(a.appVersionsByAppId))]),
    },
    oracle: {
      sql: `SELECT a.id, a.package_id, a.status, v.* FROM (
              SELECT * FROM apps WHERE developer_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50) a
            ${latestPublishedSql('a')} ORDER BY a.created_at DESC, a.id DESC`,
      params: (p, i) => [p.developers[i]],
      canonical: (rows) => rows.map((r) => [r.id, r.package_id, r.status, r.version_code == null ? null : version(r)]),
    },
  },
  {
    name: 'Q3',
    what: 'telemetryDaily of the busiest app, 90 days',
    variants: () => 1,
    mosis: {
      query: `query Q3($appId: ID!, $from: Date!, $to: Date!) {
  telemetryDaily(appId: $appId, from: $from, to: $to) { date eventType count uniqueDevices }
}`,
      variables: (p) => ({ appId: p.busiest.appId, from: p.busiest.from, to: p.busiest.to }),
      canonical: ({ telemetryDaily }) => telemetryDaily.map((r: Data) => [r.date, r.eventType, String(r.count), String(r.uniqueDevices)]),
    },
    peer: {
      query: `query Q3($appId: UUID!, $from: Date!, $to: Date!) {
  allTelemetryDailies(
    condition: {appId: $appId}
    filter: {date: {greaterThanOrEqualTo: $from, lessThanOrEqualTo: $to}}
    orderBy: [DATE_ASC, EVENT_TYPE_ASC]
  ) {
    edges { node { date eventType count uniqueDevices } }
  }
}`,
      variables: (p) => ({ appId: p.busiest.appId, from: p.busiest.from, to: p.busiest.to }),
      canonical: ({ allTelemetryDailies: c }) => c.edges.map(({ node: r }: Data) => [r.date, r.eventType, String(r.count), String(r.uniqueDevices)]),
    },
    oracle: {
      sql: `SELECT to_char(date, 'YYYY-MM-DD') AS date, event_type, count::text, unique_devices::text FROM telemetry_daily
             WHERE app_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date, event_type`,
      params: (p) => [p.busiest.appId, p.busiest.from, p.busiest.to],
      canonical: (rows) => rows.map((r) => [r.date, r.event_type, r.count, r.unique_devices]),
    },
  },
  {
    name: 'Q4',
    what: "one app's 50 newest events of one day",
    variants: (p) => p.appDays.length,
    mosis: {
      query: `query Q4($appId: ID!, $from: DateTime!, $to: DateTime!) {
  telemetryEvents(appId: $appId, from: $from, to: $to, first: 50) {
    edges { node { id appId eventType eventData mosisVersion timestamp } }
  }
}`,
      // The Mosis `to` is inclusive and timestamps are whole milliseconds: the day ends at .999.
      variables: (p, i) => ({ appId: p.appDays[i].appId, from: `${p.appDays[i].day}T00:00:00.000Z`, to: `${p.appDays[i].day}T23:59:59.999Z` }),
      canonical: ({ telemetryEvents: c }) => c.edges.map(({ node }: Data) => event(node)),
    },
    peer: {
      query: `query Q4($appId: UUID!, $from: Datetime!, $to: Datetime!) {
  allTelemetryEvents(
    condition: {appId: $appId}
    filter: {timestamp: {greaterThanOrEqualTo: $from, lessThan: $to}}
    orderBy: [TIMESTAMP_DESC, ROW_ID_DESC]
    first: 50
  ) {
    edges { node { rowId appId eventType eventData mosisVersion timestamp } }
  }
}`,
      variables: (p, i) => ({ appId: p.appDays[i].appId, from: `${p.appDays[i].day}T00:00:00Z`, to: `${p.appDays[i].nextDay}T00:00:00Z` }),
      canonical: ({ allTelemetryEvents: c }) => c.edges.map(({ node }: Data) => event(node)),
    },
    oracle: {
      sql: `SELECT id, app_id, event_type, event_data, mosis_version, "timestamp" FROM telemetry_events
             WHERE app_id = $1 AND "timestamp" >= $2::date::timestamp AT TIME ZONE 'UTC' AND "timestamp" < $3::date::timestamp AT TIME ZONE 'UTC'
             ORDER BY "timestamp" DESC, id DESC LIMIT 50`,
      params: (p, i) => [p.appDays[i].appId, p.appDays[i].day, p.appDays[i].nextDay],
      canonical: (rows) => rows.map(event),
    },
  },
  searchQuery('searchWord', 'searchApps for a common word, first 20', 'query', (p) => p.searchWord),
  searchQuery('searchTag', 'searchApps for a common tag, first 20', 'tag', (p) => p.searchTag),
  {
    name: 'crashGroups',
    what: "an app's 20 biggest crash groups over the window",
    variants: (p) => p.crashApps.length,
    mosis: {
      query: `query CrashGroups($appId: ID!, $from: DateTime!, $to: DateTime!) {
  crashGroups(appId: $appId, from: $from, to: $to, first: 20) {
    edges { node { fingerprint crashType title count affectedDevices firstSeen lastSeen appVersions } }
  }
}`,
      variables: (p, i) => ({ appId: p.crashApps[i], ...p.crashWindow }),
      canonical: ({ crashGroups }) => crashGroups.edges.map(({ node }: Data) => crashGroup(node)),
    },
    peer: {
      query: `query CrashGroups($appId: UUID!, $from: Datetime!, $to: Datetime!) {
  benchPeerCrashGroupStats(appId: $appId, since: $from, until: $to, first: 20) {
    edges { node { fingerprint crashType title count affectedDevices firstSeen lastSeen appVersions } }
  }
}`,
      variables: (p, i) => ({ appId: p.crashApps[i], ...p.crashWindow }),
      canonical: ({ benchPeerCrashGroupStats }) => benchPeerCrashGroupStats.edges.map(({ node }: Data) => crashGroup(node)),
    },
    oracle: {
      sql: `SELECT s.*, g.crash_type, g.title FROM (
              SELECT fingerprint, count(*) AS count, count(DISTINCT device_id) AS affected_devices, min("timestamp") AS first_seen,
                     max("timestamp") AS last_seen, array_agg(DISTINCT app_version) AS app_versions
                FROM crash_reports WHERE app_id = $1 AND "timestamp" >= $2 AND "timestamp" <= $3 GROUP BY fingerprint) s
              JOIN crash_groups g ON g.app_id = $1 AND g.fingerprint = s.fingerprint
             ORDER BY s.count DESC, s.fingerprint LIMIT 20`,
      params: (p, i) => [p.crashApps[i], p.crashWindow.from, p.crashWindow.to],
      canonical: (rows) => rows.map(crashGroup),
    },
  },
];

const SAMPLE = 1000;

/** The parameters, chosen deterministically from the data (md5 order, not random()). */
export async function readParams(db: Client, searchWord: string, searchTag: string): Promise<BenchParams> {
  const column = async (sql: string) => (await db.query(sql)).rows.map((r) => Object.values(r)[0] as string);
  const packages = await column(`SELECT package_id FROM apps WHERE status = 'published' ORDER BY md5(id::text) LIMIT ${SAMPLE}`);
  const developers = await column(`SELECT developer_id FROM apps GROUP BY developer_id ORDER BY md5(developer_id::text) LIMIT ${SAMPLE}`);
  const { rows: [busiest] } = await db.query(`
    WITH top AS (SELECT app_id FROM telemetry_daily GROUP BY app_id ORDER BY sum(count) DESC, app_id LIMIT 1),
         last AS (SELECT max(date) AS day FROM telemetry_daily WHERE app_id = (SELECT app_id FROM top))
    SELECT (SELECT app_id FROM top) AS "appId", to_char(day - 89, 'YYYY-MM-DD') AS "from", to_char(day, 'YYYY-MM-DD') AS "to" FROM last`);
  // Days with at least 50 events, so every Q4 page is full.
  const { rows: appDays } = await db.query(`
    SELECT app_id AS "appId", to_char(date, 'YYYY-MM-DD') AS day, to_char(date + 1, 'YYYY-MM-DD') AS "nextDay"
      FROM telemetry_daily GROUP BY app_id, date HAVING sum(count) >= 50
     ORDER BY md5(app_id::text || date::text) LIMIT ${SAMPLE}`);
  const crashApps = await column(`SELECT app_id FROM crash_reports GROUP BY app_id HAVING count(*) >= 5 ORDER BY md5(app_id::text) LIMIT ${SAMPLE}`);
  const { rows: [window] } = await db.query(`
    SELECT to_char(min("timestamp") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T00:00:00.000Z"') AS "from",
           to_char(max("timestamp") AT TIME ZONE 'UTC' + interval '1 day', 'YYYY-MM-DD"T00:00:00.000Z"') AS "to" FROM crash_reports`);
  if (!packages.length || !developers.length || !busiest?.appId || !appDays.length || !crashApps.length) {
    throw new Error('the database has too little data to benchmark: seed it first (npx mosis seed --scale small|seed|large)');
  }
  return { packages, developers, busiest, appDays, crashApps, crashWindow: window, searchWord, searchTag };
}
