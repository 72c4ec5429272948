#!/usr/bin/env bash
# A throwaway Redis from Debian's redis-server, on loopback, for CI and for trying the shared rate
# limits locally (REDIS_URL; docs/SECURITY.md).
#
#   scripts/redis.sh start <dir>   configure + start Redis in <dir>; prints its redis:// URL
#   scripts/redis.sh stop <dir>    stop it and remove <dir> (quiet no-op if absent)
#
# It listens on 127.0.0.1 only, on a free port, with a generated password (kept in <dir>, mode
# 0600, never on a command line), and keeps nothing on disk: the rate-limit counters it holds are
# worth nothing after a restart. Only stdout carries the URL: url=$(scripts/redis.sh start "$dir").
set -euo pipefail

readonly MARKER=.redis

LOG_PREFIX=redis
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_redis_installed() {
  if command -v redis-server >/dev/null 2>&1; then return 0; fi
  log "installing Debian's redis-server"
  apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || die "redis-server installed but not on PATH"
}

cmd_start() {
  local dir=$1
  if [[ -e $dir ]] && [[ -n $(ls -A "$dir") ]]; then
    die "$dir is not empty (already running? run: $0 stop $dir)"
  fi
  ensure_redis_installed
  mkdir -p "$dir"
  touch "$dir/$MARKER"

  local port password
  port=$(free_port)
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077 && cat >"$dir/redis.conf" <<CONF
# written by scripts/redis.sh
bind 127.0.0.1
port $port
protected-mode yes
requirepass $password
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir
save ""
appendonly no
CONF
  )

  log "starting Redis on 127.0.0.1:$port"
  redis-server "$dir/redis.conf" >&2 || {
    tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
    die "Redis did not start (clean up with: $0 stop $dir)"
  }
  wait_for_port "$port" || die "Redis is not listening on $port (see $dir/redis.log)"
  local url="redis://:$password@127.0.0.1:$port"
  REDISCLI_AUTH=$password redis-cli -p "$port" ping >/dev/null || die "Redis does not answer PING (see $dir/redis.log)"
  (umask 077 && printf '%s\n' "$url" >"$dir/url")
  log "ready"
  printf '%s\n' "$url"
}

cmd_stop() { stop_server_dir "$1" redis.pid Redis; }

usage() {
  echo "usage: $0 start <dir> | stop <dir>" >&2
  exit 2
}

main() {
  [[ $# -eq 2 && -n $2 ]] || usage
  local dir
  dir=$(realpath -m "$2")
  case $1 in
    start) cmd_start "$dir" ;;
    stop) cmd_stop "$dir" ;;
    *) usage ;;
  esac
}

main "$@"
