import { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { withDatabase } from '../command';

/**
 * `npx mosis monitor`: a health report from PostgreSQL's own statistics views. Every section is
 * one catalog query; the thresholds that raise an "attention" line are explained, section by
 * section, in docs/OPERATIONS.md ("Reading the monitor").
 */

type Row = Record<string, unknown>;

interface Section {
  title: string;
  rows: Row[];
  /** A sentence under the table: what the numbers mean or what to do. */
  note?: string;
  /** One row, printed as "key  value" lines rather than a one-line table. */
  record?: boolean;
}

interface Report {
  database: string;
  server: string;
  generatedAt: string;
  /** Findings past a threshold, most urgent first. Empty when all is well. */
  attention: string[];
  sections: Record<string, Section>;
}

/** Tables smaller than this are read faster by a sequential scan than through an index. */
const LARGE_TABLE_ROWS = 10_000;
/** Below this many block reads since the stats reset, a hit ratio says nothing yet. */
const CACHE_SAMPLE_BLOCKS = 10_000;

const oneLine = (column: string, width: number) => `left(regexp_replace(${column}, '\\s+', ' ', 'g'), ${width})`;

export const monitor = () =>
  new Command('monitor')
    .description('print a database health report (connections, locks, cache, sizes, vacuum, partitions, top statements)')
    .option('--json', 'print the report as JSON')
    .option('--enable-pg-stat-statements', 'create the pg_stat_statements extension if the server has it loaded')
    .action((options: { json?: boolean; enablePgStatStatements?: boolean }) =>
      withDatabase(async ({ database }) => {
        const report = await collectReport(database.dataSource, { enableStatements: Boolean(options.enablePgStatStatements) });
        console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
      }),
    );

export async function collectReport(db: DataSource, options: { enableStatements: boolean }): Promise<Report> {
  const attention: string[] = [];
  const [head] = await db.query(
    `SELECT current_database() AS database, current_setting('server_version') AS version, now() AS generated_at`,
  );
  const sections: Record<string, Section> = {
    server: await server(db, attention),
    connections: await connections(db, attention),
    longestQueries: await longestQueries(db, attention),
    lockWaits: await lockWaits(db, attention),
    cache: await cache(db, attention),
    tables: await tables(db),
    indexes: await indexes(db),
    unusedIndexes: await unusedIndexes(db),
    sequentialScans: await sequentialScans(db, attention),
    vacuum: await vacuum(db, attention),
    partitions: await partitions(db, attention),
    walArchiving: await walArchiving(db, attention),
    topStatements: await topStatements(db, options.enableStatements),
  };
  return {
    database: head.database,
    server: `PostgreSQL ${head.version}`,
    generatedAt: (head.generated_at as Date).toISOString(),
    attention,
    sections,
  };
}

async function server(db: DataSource, attention: string[]): Promise<Section> {
  const [row] = await db.query(`
    SELECT pg_size_pretty(pg_database_size(current_database())) AS database_size,
           date_trunc('second', now() - pg_postmaster_start_time())::text AS uptime,
           (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections,
           current_setting('max_connections')::int AS max_connections,
           current_setting('superuser_reserved_connections')::int AS reserved_connections,
           current_setting('shared_buffers') AS shared_buffers,
           current_setting('statement_timeout') AS statement_timeout,
           coalesce((SELECT string_agg(array_to_string(setconfig, ', '), ', ') FROM pg_db_role_setting
                      WHERE setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user))
                        AND setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))),
                    '(none)') AS role_and_database_settings`);
  // This command connects like the server does (same DATABASE_URL and DB_POOLER), so the session's
  // value is what the server's queries get.
  if (row.statement_timeout === '0') {
    attention.push(
      "queries run without a statement_timeout: set DB_STATEMENT_TIMEOUT_MS, or behind PgBouncer ALTER ROLE <role> SET statement_timeout = '30s'",
    );
  }
  const usable = row.max_connections - row.reserved_connections;
  if (row.connections > 0.8 * usable) {
    attention.push(`${row.connections} of ${usable} usable connections are open (over 80%): check pool sizes and PgBouncer`);
  }
  return {
    title: 'Server',
    record: true,
    rows: [row],
    note: 'role_and_database_settings holds ALTER ROLE/DATABASE … SET values, e.g. the statement_timeout the app relies on behind PgBouncer.',
  };
}

async function connections(db: DataSource, attention: string[]): Promise<Section> {
  const rows: Row[] = await db.query(`
    SELECT coalesce(datname, '') AS database, coalesce(usename, '') AS "user", coalesce(state, 'unknown') AS state,
           count(*)::int AS count,
           date_trunc('second', max(now() - state_change))::text AS longest_in_state
      FROM pg_stat_activity
     WHERE backend_type = 'client backend'
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  const stuck = await db.query(`
    SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE state LIKE 'idle in transaction%' AND now() - state_change > interval '1 minute'`);
  if (stuck[0].n > 0) {
    attention.push(`${stuck[0].n} sessions idle in a transaction for over a minute: they hold locks and block vacuum`);
  }
  return { title: 'Connections by state (all databases)', rows };
}

async function longestQueries(db: DataSource, attention: string[]): Promise<Section> {
  const rows: Row[] = await db.query(`
    SELECT pid, datname AS database, state,
           date_trunc('second', now() - query_start)::text AS running_for,
           date_trunc('second', now() - xact_start)::text AS transaction_age,
           coalesce(wait_event_type || ':' || wait_event, '') AS waiting_on,
           ${oneLine('query', 100)} AS query
      FROM pg_stat_activity
     WHERE backend_type = 'client backend' AND state <> 'idle' AND pid <> pg_backend_pid()
     ORDER BY query_start LIMIT 10`);
  const [slow] = await db.query(`
    SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE state = 'active' AND pid <> pg_backend_pid() AND now() - query_start > interval '5 minutes'`);
  if (slow.n > 0) attention.push(`${slow.n} queries have been running for over 5 minutes (see "Longest-running queries")`);
  return { title: 'Longest-running queries', rows, note: rows.length ? undefined : 'nothing running but this report' };
}

async function lockWaits(db: DataSource, attention: string[]): Promise<Section> {
  const rows: Row[] = await db.query(`
    SELECT w.pid AS waiting_pid, date_trunc('second', now() - w.query_start)::text AS waiting_for,
           ${oneLine('w.query', 60)} AS waiting_query,
           b.pid AS blocking_pid, b.state AS blocking_state, ${oneLine('b.query', 60)} AS blocking_query
      FROM pg_stat_activity w
     CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
      JOIN pg_stat_activity b ON b.pid = blocker.pid
     WHERE w.wait_event_type = 'Lock'
     ORDER BY w.query_start`);
  if (rows.length) attention.push(`${rows.length} sessions are waiting on locks (see "Lock waits")`);
  return { title: 'Lock waits', rows, note: rows.length ? undefined : 'no session is waiting on a lock' };
}

async function cache(db: DataSource, attention: string[]): Promise<Section> {
  const [row] = await db.query(`
    SELECT round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2)::float AS hit_percent,
           (SELECT round(100.0 * sum(idx_blks_hit) / nullif(sum(idx_blks_hit + idx_blks_read), 0), 2)::float
              FROM pg_statio_user_indexes) AS index_hit_percent,
           blks_hit, blks_read, deadlocks, temp_files, pg_size_pretty(temp_bytes) AS temp_written,
           coalesce(stats_reset::text, 'never') AS stats_since
      FROM pg_stat_database WHERE datname = current_database()`);
  const sampled = Number(row.blks_hit) + Number(row.blks_read) >= CACHE_SAMPLE_BLOCKS;
  if (sampled && row.hit_percent !== null && row.hit_percent < 99) {
    attention.push(`cache hit ratio is ${row.hit_percent}% (below 99%): the working set no longer fits in shared_buffers`);
  }
  return { title: 'Cache hit ratio', record: true, rows: [row] };
}

async function tables(db: DataSource): Promise<Section> {
  const rows: Row[] = await db.query(`
    SELECT c.relname AS table, coalesce(parent.relname, '') AS partition_of,
           coalesce(s.n_live_tup, 0) AS rows_estimate,
           pg_size_pretty(pg_total_relation_size(c.oid)) AS total,
           pg_size_pretty(pg_relation_size(c.oid)) AS data,
           pg_size_pretty(pg_indexes_size(c.oid)) AS indexes
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
      LEFT JOIN pg_class parent ON parent.oid = i.inhparent
      LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
     WHERE n.nspname = 'public' AND c.relkind = 'r'
     ORDER BY pg_total_relation_size(c.oid) DESC, c.relname LIMIT 25`);
  return { title: 'Table sizes (largest 25; total = data + indexes + TOAST)', rows };
}

async function indexes(db: DataSource): Promise<Section> {
  const rows: Row[] = await db.query(`
    SELECT s.relname AS table, s.indexrelname AS index, pg_size_pretty(pg_relation_size(s.indexrelid)) AS size,
           s.idx_scan AS scans
      FROM pg_stat_user_indexes s
     WHERE s.schemaname = 'public'
     ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname LIMIT 25`);
  return { title: 'Index sizes (largest 25)', rows };
}

async function unusedIndexes(db: DataSource): Promise<Section> {
  // Unique and primary-key indexes enforce rules even when never scanned, so they never count as unused.
  const rows: Row[] = await db.query(`
    SELECT s.relname AS table, s.indexrelname AS index, pg_size_pretty(pg_relation_size(s.indexrelid)) AS size
      FROM pg_stat_user_indexes s
      JOIN pg_index i ON i.indexrelid = s.indexrelid
     WHERE s.schemaname = 'public' AND s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
     ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname`);
  return {
    title: 'Unused indexes (never scanned since the statistics were reset)',
    rows,
    note: 'Young databases list most indexes here. Before dropping one, check it is unused on every replica and over a full business cycle.',
  };
}

async function sequentialScans(db: DataSource, attention: string[]): Promise<Section> {
  const rows: Row[] = await db.query(
    `SELECT relname AS table, n_live_tup AS rows_estimate, seq_scan, seq_tup_read AS rows_read_by_seq_scans,
            coalesce(idx_scan, 0) AS idx_scan
       FROM pg_stat_user_tables
      WHERE schemaname = 'public' AND n_live_tup >= $1 AND seq_scan > 0
      ORDER BY seq_tup_read DESC LIMIT 10`,
    [LARGE_TABLE_ROWS],
  );
  const suspects = rows.filter((r) => Number(r.seq_scan) > Number(r.idx_scan));
  if (suspects.length) {
    attention.push(
      `large tables read mostly by sequential scans (missing index?): ${suspects.map((r) => r.table).join(', ')}`,
    );
  }
  return {
    title: `Possibly missing indexes (sequential scans on tables over ${LARGE_TABLE_ROWS} rows)`,
    rows,
    note: rows.length ? 'Find the query in "Top statements" and EXPLAIN it.' : 'no large table is being scanned sequentially',
  };
}

async function vacuum(db: DataSource, attention: string[]): Promise<Section> {
  const rows: Row[] = await db.query(`
    SELECT s.relname AS table, s.n_live_tup AS live, s.n_dead_tup AS dead,
           round(100.0 * s.n_dead_tup / nullif(s.n_live_tup + s.n_dead_tup, 0), 1)::float AS dead_percent,
           coalesce(greatest(s.last_vacuum, s.last_autovacuum)::text, 'never') AS last_vacuum,
           coalesce(greatest(s.last_analyze, s.last_autoanalyze)::text, 'never') AS last_analyze,
           age(c.relfrozenxid) AS xid_age
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = 'public' AND c.relkind = 'r'
     ORDER BY s.n_dead_tup DESC, s.relname LIMIT 15`);
  const [database] = await db.query(`
    SELECT age(datfrozenxid) AS xid_age, current_setting('autovacuum_freeze_max_age')::bigint AS freeze_max_age
      FROM pg_database WHERE datname = current_database()`);
  for (const r of rows) {
    if (Number(r.dead) >= 10_000 && Number(r.dead_percent) > 20) {
      attention.push(`${r.table}: ${r.dead_percent}% dead rows: autovacuum is not keeping up`);
    }
  }
  if (Number(database.xid_age) > 2 * Number(database.freeze_max_age)) {
    attention.push(`database transaction-id age is ${database.xid_age}: anti-wraparound vacuum is falling behind`);
  }
  return {
    title: 'Dead rows and vacuum',
    rows,
    note: `database xid age ${database.xid_age} (autovacuum forces a freeze at ${database.freeze_max_age}; wraparound stops writes near 2,000,000,000)`,
  };
}

async function partitions(db: DataSource, attention: string[]): Promise<Section> {
  const rows: Row[] = await db.query(`
    SELECT parent.relname AS parent, child.relname AS partition,
           regexp_replace(pg_get_expr(child.relpartbound, child.oid), '^FOR VALUES ', '') AS bounds,
           coalesce(s.n_live_tup, 0) AS rows_estimate,
           pg_size_pretty(pg_total_relation_size(child.oid)) AS size
      FROM pg_partitioned_table pt
      JOIN pg_class parent ON parent.oid = pt.partrelid
      JOIN pg_namespace n ON n.oid = parent.relnamespace
      JOIN pg_inherits i ON i.inhparent = parent.oid
      JOIN pg_class child ON child.oid = i.inhrelid
      LEFT JOIN pg_stat_user_tables s ON s.relid = child.oid
     WHERE n.nspname = 'public'
     ORDER BY parent.relname, child.relname`);
  // Monthly partitions are named <parent>_yYYYYmMM (UTC months); the server's clock decides which month is next.
  const expected: { parent: string; this_month: string; next_month: string; this_exists: boolean; next_exists: boolean }[] =
    await db.query(`
      SELECT parent.relname AS parent, m.this_month, m.next_month,
             to_regclass(format('public.%I', m.this_month)) IS NOT NULL AS this_exists,
             to_regclass(format('public.%I', m.next_month)) IS NOT NULL AS next_exists
        FROM pg_partitioned_table pt
        JOIN pg_class parent ON parent.oid = pt.partrelid
        JOIN pg_namespace n ON n.oid = parent.relnamespace
       CROSS JOIN LATERAL (
         SELECT parent.relname || to_char(date_trunc('month', now() AT TIME ZONE 'UTC'), '"_y"YYYY"m"MM') AS this_month,
                parent.relname || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month', '"_y"YYYY"m"MM') AS next_month
       ) m
       WHERE n.nspname = 'public'
       ORDER BY parent.relname`);
  const notes: string[] = [];
  for (const e of expected) {
    notes.push(`${e.parent}: this month ${e.this_month} ${e.this_exists ? 'exists' : 'MISSING'}, next month ${e.next_month} ${e.next_exists ? 'exists' : 'MISSING'}`);
    const missing = [!e.this_exists && e.this_month, !e.next_exists && e.next_month].filter(Boolean);
    if (missing.length) {
      attention.push(`no partition ${missing.join(' or ')} yet: run \`npx mosis partitions\``);
    }
  }
  for (const r of rows) {
    if (r.bounds === 'DEFAULT' && Number(r.rows_estimate) > 0) {
      attention.push(`${r.partition} holds ~${r.rows_estimate} rows: their months have no partition of their own`);
    }
  }
  return { title: 'Partitions', rows, note: notes.join('\n') || 'no partitioned tables' };
}

async function walArchiving(db: DataSource, attention: string[]): Promise<Section> {
  const [row] = await db.query(`
    SELECT current_setting('wal_level') AS wal_level, current_setting('archive_mode') AS archive_mode,
           current_setting('archive_timeout') AS archive_timeout, archived_count, last_archived_wal,
           coalesce(date_trunc('second', now() - last_archived_time)::text, 'never') AS since_last_archived,
           failed_count, coalesce(last_failed_wal, '') AS last_failed_wal,
           coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false) AS failing
      FROM pg_stat_archiver`);
  const { failing, ...shown } = row;
  if (row.archive_mode !== 'off' && failing) {
    attention.push(`WAL archiving is failing (last failed segment ${row.last_failed_wal}): point-in-time recovery is at risk; check the server log`);
  }
  return {
    title: 'WAL archiving (point-in-time recovery)',
    record: true,
    rows: [shown],
    note: row.archive_mode === 'off'
      ? 'archive_mode is off: only pg_dump backups are possible, no point-in-time recovery (docs/OPERATIONS.md)'
      : undefined,
  };
}

async function topStatements(db: DataSource, enable: boolean): Promise<Section> {
  const title = 'Top statements by total time (pg_stat_statements)';
  const [state] = await db.query(`
    SELECT current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_stat_statements($|[ ,])' AS loaded,
           (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements') AS schema`);
  if (!state.loaded) {
    return {
      title,
      rows: [],
      note:
        'pg_stat_statements is not loaded. Add it to the server configuration and restart: ' +
        "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; then run `npx mosis monitor --enable-pg-stat-statements` once.",
    };
  }
  let schema: string | null = state.schema;
  if (!schema && enable) {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    [{ schema }] = await db.query(`SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_stat_statements'`);
  }
  if (!schema) {
    return {
      title,
      rows: [],
      note: 'pg_stat_statements is loaded but not created in this database: run `npx mosis monitor --enable-pg-stat-statements` once.',
    };
  }
  const rows: Row[] = await db.query(`
    SELECT calls, round(total_exec_time::numeric, 1)::float AS total_ms, round(mean_exec_time::numeric, 2)::float AS mean_ms,
           rows, round(100.0 * shared_blks_hit / nullif(shared_blks_hit + shared_blks_read, 0), 1)::float AS hit_percent,
           ${oneLine('query', 100)} AS query
      FROM ${schema}.pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY total_exec_time DESC LIMIT 10`);
  return { title, rows };
}

// --- text output ---------------------------------------------------------------------------

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().replace(/\.\d+Z$/, 'Z');
  return String(value);
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** A plain aligned table: numbers right-aligned, everything else left-aligned. */
function formatTable(rows: Row[]): string[] {
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((c) => formatValue(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values.map((v, i) => (NUMERIC.test(v) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}

function formatRecord(row: Row): string[] {
  const width = Math.max(...Object.keys(row).map((k) => k.length));
  return Object.entries(row).map(([key, value]) => `${key.padEnd(width)}  ${formatValue(value)}`);
}

export function formatReport(report: Report): string {
  const out = [`Database health: "${report.database}" on ${report.server}, ${report.generatedAt}`, ''];
  out.push('== Attention ==');
  out.push(...(report.attention.length ? report.attention.map((a) => `! ${a}`) : ['nothing needs attention']));
  for (const section of Object.values(report.sections)) {
    out.push('', `== ${section.title} ==`);
    if (section.record) out.push(...formatRecord(section.rows[0]));
    else if (section.rows.length) out.push(...formatTable(section.rows));
    else if (!section.note) out.push('(none)');
    if (section.note) out.push(...section.note.split('\n'));
  }
  return out.join('\n');
}
