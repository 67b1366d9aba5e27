#!/usr/bin/env bash
# Project-local PostgreSQL cluster (Debian's packaged server), run as the `postgres` user.
# Data lives in .data/postgres (git-ignored, relative to this script); TCP 127.0.0.1 only, no unix
# socket, trust auth (a dev/test cluster: never expose it). Does not touch any system cluster on 5432.
#
#   infra/postgres.sh install   apt-get install postgresql if no /usr/lib/postgresql/*/bin/initdb
#   infra/postgres.sh start     install, initdb once, start (no-op if running), wait, create the database
#   infra/postgres.sh stop      fast shutdown (immediate after PG_STOP_TIMEOUT, default 60s)
#   infra/postgres.sh status    "running ..." (exit 0) or "stopped" (exit 3)
#   infra/postgres.sh url       print the connection URL
#   infra/postgres.sh psql ...  psql into the database
#
# Env: PGPORT (5433), PG_DATABASE (fleetstream), PG_DATA_DIR (.data/postgres).
# Must run as root (it installs packages and switches to the postgres user).
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$INFRA_DIR/.." && pwd)"
PG_PORT="${PGPORT:-5433}"
PG_HOST=127.0.0.1
PG_DB="${PG_DATABASE:-fleetstream}"
PG_BASE="${PG_DATA_DIR:-$ROOT_DIR/.data/postgres}"
PGDATA_DIR="$PG_BASE/data"
PG_LOG="$PG_BASE/server.log"
PG_USER=postgres

log() { echo "postgres: $*"; }
die() {
  echo "postgres: error: $*" >&2
  exit 1
}

url() { echo "postgresql://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"; }

# Newest installed server's bin dir, or nothing.
pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$d" && -x "$d/initdb" ]] && echo "$d"
}

install() {
  pg_bindir >/dev/null && return 0
  [[ "$(id -u)" == 0 ]] || die "PostgreSQL is not installed and we are not root (apt-get install -y postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show postgresql >/dev/null 2>&1; then apt-get -o DPkg::Lock::Timeout=300 update -q; fi
  log "installing PostgreSQL (apt-get install -y postgresql)"
  if ! apt-get -o DPkg::Lock::Timeout=300 install -y -q postgresql >/tmp/fleetstream-apt-postgresql.log 2>&1; then
    apt-get -o DPkg::Lock::Timeout=300 update -q # lists may be stale
    apt-get -o DPkg::Lock::Timeout=300 install -y -q postgresql || die "apt-get install postgresql failed"
  fi
  pg_bindir >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
}

as_pg() { (cd / && runuser -u "$PG_USER" -- "$@"); }

# The postgres user must be able to reach PG_BASE: a fresh clone may sit under a directory it cannot
# traverse (e.g. a mode-700 temp dir). Grant only the search bit (o+x), never read, on such ancestors.
ensure_traversable() {
  local path="" part
  local -a parts
  IFS=/ read -r -a parts <<<"${1#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    if ! as_pg test -x "$path"; then
      log "granting search permission (chmod o+x) on $path so the postgres user can reach its data dir"
      chmod o+x "$path"
    fi
  done
}

setup() {
  local bindir
  bindir="$(pg_bindir)"
  id "$PG_USER" >/dev/null 2>&1 || die "no '$PG_USER' user (is the postgresql package installed?)"
  mkdir -p "$PG_BASE"
  ensure_traversable "$(dirname "$PG_BASE")"
  if [[ "$(stat -c %U "$PG_BASE")" != "$PG_USER" ]]; then chown -R "$PG_USER:$PG_USER" "$PG_BASE"; fi
  chmod 700 "$PG_BASE"
  if [[ ! -f "$PGDATA_DIR/PG_VERSION" ]]; then
    log "initdb in ${PGDATA_DIR#"$ROOT_DIR"/}"
    as_pg "$bindir/initdb" -D "$PGDATA_DIR" -U "$PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$PG_BASE/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$PG_BASE/initdb.log" | tr '\n' ' ')"
    echo "include_if_exists = 'fleetstream.conf'" | as_pg tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
  fi
  # Rewritten on every start so PGPORT changes apply.
  as_pg tee "$PGDATA_DIR/fleetstream.conf" >/dev/null <<EOF
# Written by infra/postgres.sh on every start.
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 200
# Sized for the write-heavy processor on a machine with gigabytes to spare (issue 13): a bigger
# buffer pool and WAL buffer, and checkpoints at most every 15 min or 4 GB of WAL, so a run does
# not rewrite whole pages into the WAL after each checkpoint (full-page writes). In the pipeline
# bench (one run each) the writes' WAL went from 1.3 GB to 0.9 GB, their statement time from
# 138 s to 71 s.
shared_buffers = 1GB
wal_buffers = 64MB
max_wal_size = 4GB
checkpoint_timeout = 15min
EOF
}

# Checked as root from postmaster.pid, so it works even before the data dir is reachable by postgres.
running() {
  local pid
  [[ -f "$PGDATA_DIR/postmaster.pid" ]] || return 1
  pid="$(head -n 1 "$PGDATA_DIR/postmaster.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)" == *postgres*" -D $PGDATA_DIR"* ]]
}

port_open() { (exec 3<>"/dev/tcp/$PG_HOST/$1") 2>/dev/null; }

start() {
  local bindir started=$SECONDS deadline
  install
  bindir="$(pg_bindir)"
  if running; then
    log "already running on $PG_HOST:$PG_PORT"
  else
    port_open "$PG_PORT" && die "port $PG_HOST:$PG_PORT is already in use by another process (set PGPORT)"
    setup
    log "starting PostgreSQL $(basename "$(dirname "$bindir")") on $PG_HOST:$PG_PORT"
    as_pg "$bindir/pg_ctl" start -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 >/dev/null ||
      die "pg_ctl start failed: $(tail -n 5 "$PG_LOG" | tr '\n' ' ')"
  fi
  deadline=$((SECONDS + 30))
  until "$bindir/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT"; do
    ((SECONDS < deadline)) || die "not accepting connections on $PG_HOST:$PG_PORT after 30s (see $PG_LOG)"
    sleep 0.2
  done
  if [[ "$("$bindir/psql" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]]; then
    "$bindir/createdb" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
    log "created database $PG_DB"
  fi
  log "ready at $(url) in $((SECONDS - started))s"
}

stop() {
  local bindir
  if ! running; then
    log "not running"
    return 0
  fi
  bindir="$(pg_bindir)"
  ensure_traversable "$PG_BASE"
  log "stopping"
  as_pg "$bindir/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t "${PG_STOP_TIMEOUT:-60}" >/dev/null ||
    as_pg "$bindir/pg_ctl" stop -D "$PGDATA_DIR" -m immediate -w >/dev/null
  log "stopped"
}

status() {
  if running; then
    echo "postgres: running on $PG_HOST:$PG_PORT, data ${PGDATA_DIR#"$ROOT_DIR"/}, url $(url)"
    return 0
  fi
  echo "postgres: stopped"
  return 3
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) stop ;;
restart) stop && start ;;
status) status ;;
url) url ;;
psql)
  shift
  exec "$(pg_bindir)/psql" "$(url)" "$@"
  ;;
*)
  echo "usage: $0 install|start|stop|restart|status|url|psql [args]" >&2
  exit 2
  ;;
esac
