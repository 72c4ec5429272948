# Shared by the scripts in scripts/: source it after setting LOG_PREFIX.
#   LOG_PREFIX=pg-cluster; source "$(dirname "$0")/lib/common.sh"

log() { echo "$LOG_PREFIX: $*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# PostgreSQL and PgBouncer refuse to run as root, so as root server-side commands run as `postgres`.
# cd / first: postgres usually cannot read the caller's working directory (e.g. /root).
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Installs Debian packages as root (directly or through sudo), or says what to install.
apt_install() {
  local sudo=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 || die "need root or sudo to install $*; install it with: apt-get install $*"
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
}

# A port nobody listens on right now (bind port 0, read it back). There is a small window
# before the server binds it; acceptable for throwaway servers.
free_port() {
  if command -v node >/dev/null 2>&1; then
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    die "need node or python3 to pick a free port"
  fi
}

# Waits up to 10 s for something to accept connections on 127.0.0.1:<port>.
wait_for_port() {
  local port=$1 i
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# `stop <dir>` of a server script: stops the server whose pid is in <dir>/<pidfile> and removes <dir>,
# but only a directory the script made itself (it holds $MARKER); an empty one is just removed.
stop_server_dir() {
  local dir=$1 pidfile=$2 name=$3 pid i
  [[ -d $dir ]] || return 0
  if [[ ! -e $dir/$MARKER ]]; then
    rmdir "$dir" 2>/dev/null || die "$dir was not created by $0; refusing to remove it"
    return 0
  fi
  if [[ -f $dir/$pidfile ]]; then
    pid=$(cat "$dir/$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid"
      for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && die "$name (pid $pid) did not stop; leaving $dir in place"
    fi
  fi
  rm -rf "$dir"
}
