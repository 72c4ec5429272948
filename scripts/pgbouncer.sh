#!/usr/bin/env bash
# A throwaway PgBouncer in transaction pooling mode in front of a PostgreSQL server, for CI and
# for trying the pooled setup locally (docs/OPERATIONS.md, "Connection pooling").
#
#   scripts/pgbouncer.sh start <dir> <upstream-url>   configure + start; prints the PgBouncer URL
#   scripts/pgbouncer.sh stop <dir>                   stop it and remove <dir> (quiet no-op if absent)
#   scripts/pgbouncer.sh stats <dir>                  SHOW STATS on stderr; transactions pooled on stdout
#
# Every database of the upstream server is reachable through it under its own name (a wildcard
# entry), with the upstream URL's user and password, so per-test databases work unchanged. Only
# stdout carries results; progress goes to stderr: url=$(scripts/pgbouncer.sh start "$dir" "$url").
set -euo pipefail

readonly MARKER=.pgbouncer
# PgBouncer refuses to run as root; as root it runs as `postgres`, like the server (as_pg).

LOG_PREFIX=pgbouncer
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_pgbouncer_installed() {
  if command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]]; then return 0; fi
  log "installing Debian's pgbouncer"
  apt_install pgbouncer
  [[ -x /usr/sbin/pgbouncer ]] || die "pgbouncer installed but /usr/sbin/pgbouncer is missing"
}

pgbouncer_bin() { command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer; }

# Prints host, port, user, password, database of a postgres:// URL, one per line, decoded.
parse_url() {
  node -e '
    const u = new URL(process.argv[1]);
    const parts = [u.hostname, u.port || "5432", decodeURIComponent(u.username), decodeURIComponent(u.password),
                   decodeURIComponent(u.pathname.slice(1)) || "postgres"];
    console.log(parts.join("\n"));' "$1"
}

# A double-quoted string for PgBouncer's auth_file (a quote inside is doubled).
auth_quote() { printf '"%s"' "${1//\"/\"\"}"; }

cmd_start() {
  local dir=$1 upstream=$2
  (( ${#dir} <= 90 )) || die "directory path too long for a unix socket: $dir"
  if [[ -e $dir ]] && [[ -n $(ls -A "$dir") ]]; then
    die "$dir is not empty (already running? run: $0 stop $dir)"
  fi
  ensure_pgbouncer_installed
  command -v node >/dev/null 2>&1 || die "node is needed to parse the upstream URL"

  local host port user password database
  { read -r host; read -r port; read -r user; read -r password; read -r database; } < <(parse_url "$upstream")
  [[ -n $user && -n $password ]] || die "the upstream URL must carry a user and a password"

  mkdir -p "$dir"
  touch "$dir/$MARKER"
  chmod 0755 "$dir"
  if is_root; then chown postgres: "$dir"; fi

  # PgBouncer authenticates clients itself (SCRAM, against this file) and logs in upstream with
  # the same password, so it needs the plain password: 0600, owned by the user running it.
  (umask 077 && printf '%s %s\n' "$(auth_quote "$user")" "$(auth_quote "$password")" >"$dir/userlist.txt")
  if is_root; then chown postgres: "$dir/userlist.txt"; fi

  local listen_port
  listen_port=$(free_port)
  cat >"$dir/pgbouncer.ini" <<EOF
; written by scripts/pgbouncer.sh
[databases]
; Any database name the client asks for, on the upstream server.
* = host=$host port=$port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $listen_port
unix_socket_dir = $dir
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
admin_users = $user
; A server connection belongs to a client for one transaction only. Hence the application keeps
; no session state: no SET outside a transaction, no session advisory locks, no named prepared
; statements, no LISTEN, no temporary tables across transactions.
pool_mode = transaction
; Per (database, user) pair: how many server connections the pooled clients share.
default_pool_size = 20
max_client_conn = 500
; Tools that send extra_float_digits (JDBC, psycopg) need it ignored. statement_timeout is NOT
; ignored on purpose: a client that sends it as a startup parameter must fail loudly rather than
; run without its timeout; behind PgBouncer set it per role (ALTER ROLE ... SET statement_timeout).
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
log_connections = 0
log_disconnections = 0
EOF
  if is_root; then chown postgres: "$dir/pgbouncer.ini"; fi

  log "starting PgBouncer on 127.0.0.1:$listen_port in front of $host:$port"
  as_pg "$(pgbouncer_bin)" -d -q "$dir/pgbouncer.ini" || {
    tail -n 20 "$dir/pgbouncer.log" >&2 2>/dev/null || true
    die "PgBouncer did not start (clean up with: $0 stop $dir)"
  }
  wait_for_port "$listen_port" || die "PgBouncer is not listening on $listen_port (see $dir/pgbouncer.log)"

  local url
  url=$(node -e '
    const [user, password, port, database] = process.argv.slice(1);
    const u = new URL("postgres://127.0.0.1");
    u.username = user; u.password = password; u.port = port; u.pathname = "/" + database;
    console.log(u.toString());' "$user" "$password" "$listen_port" "$database")
  (umask 077 && printf '%s\n' "$url" >"$dir/url")
  log "ready"
  printf '%s\n' "$url"
}

cmd_stop() { stop_server_dir "$1" pgbouncer.pid PgBouncer; }

# SHOW STATS from the admin console; stdout gets the number of transactions pooled so far, which
# CI uses to prove the test traffic really went through PgBouncer.
cmd_stats() {
  local dir=$1 admin
  [[ -f $dir/url ]] || die "no PgBouncer in $dir (not started?)"
  admin=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/pgbouncer"; console.log(u.toString());' "$(cat "$dir/url")")
  psql "$admin" -X -c 'SHOW STATS' >&2
  psql "$admin" -X -At -c 'SHOW STATS' | awk -F'|' '$1 != "pgbouncer" { total += $2 } END { print total + 0 }'
}

usage() {
  echo "usage: $0 start <dir> <upstream-url> | stop <dir> | stats <dir>" >&2
  exit 2
}

main() {
  [[ $# -ge 2 && -n $2 ]] || usage
  local dir
  dir=$(realpath -m "$2")
  case $1 in
    start) [[ $# -eq 3 ]] || usage; cmd_start "$dir" "$3" ;;
    stop) cmd_stop "$dir" ;;
    stats) cmd_stats "$dir" ;;
    *) usage ;;
  esac
}

main "$@"
