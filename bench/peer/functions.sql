-- What a PostGraphile user adds for the two queries its generated schema cannot express: ranked
-- full-text search and per-fingerprint crash statistics, as STABLE SQL functions, which
-- PostGraphile exposes as Query fields (searchApps, crashGroupStats) with connections.
-- Schema bench_peer keeps them apart from the project's tables; `npm run bench` creates it
-- before starting the peer. The SQL is the Mosis server's own (src/apps/search.service.ts for a
-- one-word query or one tag, src/crashes/crash.service.ts), so both return the same rows.
CREATE SCHEMA IF NOT EXISTS bench_peer;

CREATE OR REPLACE FUNCTION bench_peer.search_apps(query text, tag text) RETURNS SETOF public.apps
LANGUAGE sql STABLE AS $$
  SELECT a.*
    FROM public.apps a
   WHERE a.status = 'published'
     AND (query IS NULL
          OR a.search_vector @@ (SELECT to_tsquery('english', query || ':*'))
          OR lower(a.name) % query OR query <% lower(a.name))
     AND (tag IS NULL OR a.tags @> ARRAY[tag]::varchar[])
   ORDER BY CASE WHEN query IS NULL THEN 0::float8
                 ELSE ts_rank(a.search_vector, (SELECT to_tsquery('english', query || ':*')))::float8
                      + 0.5 * word_similarity(query, lower(a.name))::float8 END DESC,
            lower(a.name), a.id
$$;

DROP TYPE IF EXISTS bench_peer.crash_group_stat CASCADE;
CREATE TYPE bench_peer.crash_group_stat AS (
  fingerprint text, crash_type text, title text, count bigint, affected_devices bigint,
  first_seen timestamptz, last_seen timestamptz, app_versions text[]
);

CREATE OR REPLACE FUNCTION bench_peer.crash_group_stats(app_id uuid, since timestamptz, until timestamptz)
RETURNS SETOF bench_peer.crash_group_stat
LANGUAGE sql STABLE AS $$
  WITH stats AS (
    SELECT c.fingerprint, count(*) AS count, count(DISTINCT c.device_id) AS affected_devices,
           min(c."timestamp") AS first_seen, max(c."timestamp") AS last_seen, array_agg(DISTINCT c.app_version) AS app_versions
      FROM public.crash_reports c
     WHERE c.app_id = crash_group_stats.app_id AND c."timestamp" >= since AND c."timestamp" <= until
     GROUP BY c.fingerprint
  )
  SELECT s.fingerprint::text, g.crash_type::text, g.title::text, s.count, s.affected_devices, s.first_seen, s.last_seen,
         s.app_versions::text[]
    FROM stats s JOIN public.crash_groups g ON g.app_id = crash_group_stats.app_id AND g.fingerprint = s.fingerprint
   ORDER BY s.count DESC, s.fingerprint
$$;
