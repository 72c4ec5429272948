#!/usr/bin/env bash
# Point-in-time recovery drill: proves that a base backup plus the WAL archive bring the database
# back to an exact moment, and measures how long that takes (the RTO; docs/OPERATIONS.md).
#
#   scripts/pitr-drill.sh            run it (needs the project built: npm run build)
#   PITR_DRILL_ROWS=1000000 scripts/pitr-drill.sh   a bigger base backup and more WAL, for timings
#                                                   that mean something (docs/DATABASE.md)
#
# 1. a throwaway PostgreSQL 15 with WAL archiving (scripts/pg-cluster.sh), migrated by `mosis migrate`
# 2. rows A, then a base backup (pg_basebackup), then rows B; PITR_DRILL_ROWS telemetry events
#    go in with each, so there is a base to unpack and WAL to replay
# 3. the target time T, then rows C after it, then a WAL switch so everything is archived
# 4. the primary is destroyed; the base backup is restored into a new data directory with
#    recovery_target_time = T, replaying the archive, and promoted
# 5. exactly A and B must be there, none of C. Prints PASS or FAIL (and exits 1).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly BULK_ROWS=${PITR_DRILL_ROWS:-20000}

LOG_PREFIX=pitr-drill
# shellcheck source=lib/common.sh
source scripts/lib/common.sh
die() { log "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
seconds_since() { awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f", end - start }'; }


[[ -f dist/src/cli/main.js ]] || die "the project is not built: run npm run build"

# Short, world-searchable paths: the server's unix socket lives in them.
work=$(mktemp -d /tmp/pitr.XXXXXX)
chmod 0755 "$work"
primary=$work/primary
archive=$work/wal-archive
base=$work/base
restored=$work/restored

cleanup() {
  local status=$?
  if [[ -f $restored/data/postmaster.pid ]]; then
    as_pg "$PG_BIN/pg_ctl" stop -m fast -w -D "$restored/data" >/dev/null 2>&1 || true
  fi
  scripts/pg-cluster.sh stop "$primary" 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# --- 1. a primary with continuous archiving ---------------------------------------------------
admin_url=$(PG_CLUSTER_ARCHIVE_DIR=$archive scripts/pg-cluster.sh start "$primary")
psql "$admin_url" -X -q -c 'CREATE DATABASE mosis_pitr'
db_url=${admin_url%/postgres}/mosis_pitr
DATABASE_URL=$db_url node bin/mosis.js migrate >&2
sql() { psql "$1" -X -q -At -v ON_ERROR_STOP=1 -c "$2"; }
audit_rows() { # $1 url, $2 phase, $3 count
  sql "$1" "INSERT INTO audit_logs (action, metadata)
            SELECT 'pitr.$2', jsonb_build_object('n', g) FROM generate_series(1, $3) g"
}
telemetry_rows() { # $1 url, $2 phase
  sql "$1" "INSERT INTO telemetry_events (app_id, device_id, event_type, event_data, \"timestamp\")
            SELECT gen_random_uuid(), md5(g::text) || md5((g % 97)::text), 'pitr.$2',
                   jsonb_build_object('g', g, 'screen', 'home'), now() - g * interval '1 second'
              FROM generate_series(1, $BULK_ROWS) g"
}

# --- 2. A, base backup, B ---------------------------------------------------------------------
log "writing rows A and $BULK_ROWS telemetry events before the base backup"
audit_rows "$db_url" A 100
telemetry_rows "$db_url" A
log "taking the base backup"
started=$(now)
pg_basebackup --dbname="$admin_url" --pgdata="$base" --format=tar --gzip --wal-method=stream --checkpoint=fast
base_backup_s=$(seconds_since "$started")
base_size=$(du -sh "$base" | cut -f1)

log "writing rows B and $BULK_ROWS telemetry events after it (WAL to replay)"
audit_rows "$db_url" B 100
telemetry_rows "$db_url" B

# --- 3. T, then C, then make sure the archive has it all ----------------------------------------
# A new transaction's now() is later than every commit before it.
target=$(sql "$db_url" "SELECT now()")
sleep 1
audit_rows "$db_url" C 100
expected=$(sql "$db_url" "SELECT string_agg(id::text, ',' ORDER BY id) FROM audit_logs WHERE action IN ('pitr.A', 'pitr.B')")
last_segment=$(sql "$admin_url" "SELECT pg_walfile_name(pg_switch_wal())")
for ((i = 0; i < 600; i++)); do [[ -f $archive/$last_segment ]] && break; sleep 0.1; done
[[ -f $archive/$last_segment ]] || die "segment $last_segment never reached the archive"
# Segments are 16 MB each, however full a forced switch left them.
wal_segments=$(find "$archive" -name '0*' -newer "$base/base.tar.gz" | wc -l)
log "target time $target; $wal_segments WAL segments archived since the base backup"

# --- 4. lose the primary, restore to T ----------------------------------------------------------
scripts/pg-cluster.sh stop "$primary"
log "primary destroyed; restoring the base backup and replaying the archive up to $target"
started=$(now)
mkdir -p "$restored/data"
tar -xzf "$base/base.tar.gz" -C "$restored/data"
tar -xzf "$base/pg_wal.tar.gz" -C "$restored/data/pg_wal"
extract_s=$(seconds_since "$started")
unpacked_size=$(du -sh "$restored/data" | cut -f1)
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
# Later lines win over the primary's own settings carried in the backup. Archiving stays off here
# so the drill's copy never writes into the primary's archive; a real recovered primary archives
# again (to a new timeline) and gets a fresh base backup (docs/OPERATIONS.md).
cat >>"$restored/data/postgresql.auto.conf" <<EOF
# added by scripts/pitr-drill.sh
port = $port
unix_socket_directories = '$restored'
archive_mode = off
restore_command = 'cp $archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
EOF
touch "$restored/data/recovery.signal"
if is_root; then chown -R postgres: "$restored"; fi
chmod 0700 "$restored/data"
as_pg "$PG_BIN/pg_ctl" start -w -t 300 -D "$restored/data" -l "$restored/server.log" >&2 ||
  { tail -n 30 "$restored/server.log" >&2; die "the restored server did not start"; }
restored_url=$(node -e 'const u = new URL(process.argv[1]); u.port = process.argv[2]; console.log(u.toString());' "$db_url" "$port")
for ((i = 0; i < 3000; i++)); do
  [[ $(sql "$restored_url" "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]] && break
  sleep 0.1
done
[[ $(sql "$restored_url" "SELECT pg_is_in_recovery()") == f ]] || die "the restored server never left recovery"
restore_s=$(seconds_since "$started")

# --- 5. exactly A and B ---------------------------------------------------------------------------
actual=$(sql "$restored_url" "SELECT string_agg(id::text, ',' ORDER BY id) FROM audit_logs WHERE action LIKE 'pitr.%'")
counts=$(sql "$restored_url" "SELECT string_agg(action || '=' || n, ' ' ORDER BY action)
                                FROM (SELECT action, count(*) AS n FROM audit_logs WHERE action LIKE 'pitr.%' GROUP BY action) c")
events=$(sql "$restored_url" "SELECT string_agg(event_type || '=' || n, ' ' ORDER BY event_type)
                                FROM (SELECT event_type, count(*) AS n FROM telemetry_events GROUP BY event_type) e")
DATABASE_URL=$restored_url node bin/mosis.js migrate >&2

log "rows after recovery: audit_logs $counts; telemetry_events $events"
[[ $counts == "pitr.A=100 pitr.B=100" ]] || die "expected pitr.A=100 pitr.B=100 (nothing of C), got: $counts"
[[ $actual == "$expected" ]] || die "audit_logs ids differ from those committed before the target time"
[[ $events == "pitr.A=$BULK_ROWS pitr.B=$BULK_ROWS" ]] || die "expected $BULK_ROWS telemetry events from A and from B, got $events"
echo "PASS: recovered to $target: every row committed before it, none after"
echo "  base backup: ${base_backup_s}s, $base_size compressed, $unpacked_size unpacked; WAL after it: $wal_segments segments of 16 MB"
echo "  restore: ${extract_s}s to unpack the base backup, ${restore_s}s until promoted (replay included)"
