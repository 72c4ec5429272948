#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster from Debian's packages, for CI and local scripts.
#
#   scripts/pg-cluster.sh start <dir>   init + start a cluster in <dir>; prints its superuser URL
#   scripts/pg-cluster.sh stop <dir>    stop it and remove <dir> (quiet no-op if absent/stopped)
#   scripts/pg-cluster.sh url <dir>     print the saved URL
#
# With PG_CLUSTER_ARCHIVE_DIR=<archive> set, `start` also turns on continuous WAL archiving into
# <archive> (point-in-time recovery; see scripts/pitr-drill.sh and docs/OPERATIONS.md).
#
# Layout of <dir>: data/ (PGDATA), password, url, server.log, the unix socket, and a marker
# file so `stop` never rm -rf's a directory this script did not create.
#
# We drive the binaries in /usr/lib/postgresql/15/bin directly instead of pg_createcluster /
# pg_ctlcluster / systemd: those manage clusters under /etc and /var/lib, need a service
# manager, and would collide with Debian's own `main` cluster. Only stdout carries the URL;
# everything else goes to stderr so callers can do url=$(scripts/pg-cluster.sh start "$dir").
set -euo pipefail

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly SUPERUSER=mosis
readonly MARKER=.pg-cluster
# Settings appended to postgresql.auto.conf before the first start. Durability defaults
# (fsync, synchronous_commit, full_page_writes) are kept on purpose: tests should see the
# same behaviour as production. shared_buffers as the peer benchmark's server has it
# (shared/peer-bench/pg.sh, which issue 9's figures came from): PostgreSQL's 128MB default is
# sized for the smallest machines; with it, `npm run bench` on the seed data times copies from
# the OS page cache as well. Memory is only taken as pages are used.
readonly EXTRA_SETTINGS=(
  "shared_preload_libraries = 'pg_stat_statements'"
  "shared_buffers = '1GB'"
  "max_connections = 200"
  "fsync = on"
)

LOG_PREFIX=pg-cluster
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# --- install ------------------------------------------------------------------------------

ensure_postgres_installed() {
  [[ -x $PG_BIN/pg_ctl ]] && return 0
  log "installing Debian's postgresql-15 (no $PG_BIN/pg_ctl)"
  # The package's postinst may create and start Debian's `main` cluster on port 5432. We leave
  # it alone: our cluster has its own data dir, port and socket directory.
  apt_install postgresql-15
  [[ -x $PG_BIN/pg_ctl ]] || die "postgresql-15 installed but $PG_BIN/pg_ctl is still missing"
}

# The package creates `postgres`; this covers binaries that arrived some other way.
ensure_postgres_user() {
  is_root || return 0
  id postgres >/dev/null 2>&1 && return 0
  log "creating the postgres OS user"
  useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
    --shell /usr/sbin/nologin postgres
}

# --- helpers ------------------------------------------------------------------------------

# 48 hex characters from the kernel's CSPRNG; od is in coreutils, unlike openssl.
random_password() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# Percent-encodes everything but RFC 3986 unreserved characters.
urlencode() {
  local LC_ALL=C # byte by byte, so multi-byte characters encode as UTF-8 octets
  local s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf '%s' "$out"
}

# Single-quoted literal for postgresql.conf (a quote inside is doubled).
conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

server_log_tail() {
  local logfile=$1/server.log
  [[ -f $logfile ]] || return 0
  log "last lines of $logfile:"
  tail -n 30 "$logfile" >&2
}

# WAL archiving into a local directory. A finished 16 MB segment is copied at once; archive_timeout
# forces a segment switch at least once a minute when anything was written, so at most about a
# minute of commits lives only on the server's own disk (the RPO). `test ! -f` never overwrites a
# segment already archived, as the PostgreSQL manual requires.
prepare_archive() {
  local archive
  archive=$(realpath -m "$1")
  # It goes into a shell command inside a quoted setting: keep it to characters needing no quoting.
  [[ $archive =~ ^/[A-Za-z0-9/._-]+$ ]] || die "PG_CLUSTER_ARCHIVE_DIR may hold only letters, digits and /._-: $archive"
  mkdir -p "$archive"
  if is_root; then chown postgres: "$archive"; fi
  printf '%s' "$archive"
}

archive_settings() {
  local archive=$1
  echo "wal_level = replica"
  echo "archive_mode = on"
  echo "archive_command = $(conf_quote "test ! -f $archive/%f && cp %p $archive/%f")"
  echo "archive_timeout = 60"
}

# --- commands -----------------------------------------------------------------------------

cmd_start() {
  local dir=$1
  local data=$dir/data
  # The socket path (<dir>/.s.PGSQL.<port>) must fit in sun_path (107 bytes).
  (( ${#dir} <= 90 )) || die "directory path too long for a unix socket: $dir"
  if [[ -e $dir ]] && [[ -n $(ls -A "$dir") ]]; then
    die "$dir is not empty (already a cluster? run: $0 stop $dir)"
  fi

  ensure_postgres_installed
  ensure_postgres_user

  mkdir -p "$dir"
  touch "$dir/$MARKER"
  chmod 0755 "$dir"
  # The server writes its socket and server.log here, so its OS user must own it.
  if is_root; then chown postgres: "$dir"; fi
  as_pg test -x "$dir" || die "the postgres user cannot reach $dir; use a directory whose parents are world-searchable"

  local archive=''
  if [[ -n ${PG_CLUSTER_ARCHIVE_DIR:-} ]]; then archive=$(prepare_archive "$PG_CLUSTER_ARCHIVE_DIR"); fi

  local password port url
  password=$(random_password)
  port=$(free_port)
  # 0600, owned by the server's user: initdb reads it as postgres via --pwfile.
  (umask 077 && printf '%s\n' "$password" >"$dir/password")
  if is_root; then chown postgres: "$dir/password"; fi

  log "initdb in $data"
  as_pg "$PG_BIN/initdb" -D "$data" --username="$SUPERUSER" --pwfile="$dir/password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C --no-instructions >&2

  # In postgresql.auto.conf rather than -o flags so a later plain `pg_ctl start -D data`
  # comes back on the same port and socket.
  {
    echo "# added by scripts/pg-cluster.sh"
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = $(conf_quote "$dir")"
    printf '%s\n' "${EXTRA_SETTINGS[@]}"
    if [[ -n $archive ]]; then archive_settings "$archive"; fi
  } | as_pg tee -a "$data/postgresql.auto.conf" >/dev/null

  log "starting PostgreSQL on 127.0.0.1:$port"
  if ! as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$data" -l "$dir/server.log" >&2; then
    server_log_tail "$dir"
    die "PostgreSQL did not start (clean up with: $0 stop $dir)"
  fi

  url="postgres://$SUPERUSER:$(urlencode "$password")@127.0.0.1:$port/postgres"
  (umask 077 && printf '%s\n' "$url" >"$dir/url")
  log "ready"
  printf '%s\n' "$url"
}

cmd_stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  if [[ ! -e $dir/$MARKER ]]; then
    # Never rm -rf something we did not create; an empty directory is harmless to remove.
    rmdir "$dir" 2>/dev/null || die "$dir was not created by $0; refusing to remove it"
    return 0
  fi
  if [[ -f $dir/data/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
    log "stopping PostgreSQL in $dir"
    as_pg "$PG_BIN/pg_ctl" stop -m fast -w -t 60 -D "$dir/data" >&2 || {
      server_log_tail "$dir"
      die "PostgreSQL did not stop; leaving $dir in place"
    }
  fi
  rm -rf "$dir"
}

cmd_url() {
  local dir=$1
  [[ -f $dir/url ]] || die "no saved URL in $dir (not started?)"
  cat "$dir/url"
}

usage() {
  echo "usage: $0 start|stop|url <dir>" >&2
  exit 2
}

main() {
  [[ $# -eq 2 && -n $2 ]] || usage
  # Absolute, because the server's working directory is not ours.
  local dir
  dir=$(realpath -m "$2")
  case $1 in
    start) cmd_start "$dir" ;;
    stop) cmd_stop "$dir" ;;
    url) cmd_url "$dir" ;;
    *) usage ;;
  esac
}

main "$@"
