#!/usr/bin/env bash
# Starts, stops or reports the two local services the app and its tests need:
# PostgreSQL (Debian's server binaries, run as the postgres user) and Azurite (from npm).
# Everything binds to 127.0.0.1; data lives under .local/ (git-ignored). Safe to run twice.
#
#   scripts/services.sh start | stop | status
#   scripts/services.sh restart-postgres [fast|immediate]   # fault injection (tests/reliability)
#   scripts/services.sh stop-azurite | start-azurite          # fault injection (tests/reliability)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
local_dir="$root/.local"
pg_port=${NANOBANANA_PG_PORT:-54329}
pg_data="$local_dir/pgdata"
pg_sock="$local_dir/pgsock"
pg_log="$local_dir/postgres.log"
azurite_dir="$local_dir/azurite"
azurite_tools="$local_dir/tools"
azurite_version=3.37.0
azurite_pid="$local_dir/azurite.pid"
# Other ports let a second checkout run its own services beside this one (the tests read the same variables).
blob_port=${NANOBANANA_BLOB_PORT:-10000}
queue_port=${NANOBANANA_QUEUE_PORT:-10001}
table_port=${NANOBANANA_TABLE_PORT:-10002}
# The development superuser; the app's own database and roles are created by database/migrate.sh.
pg_superuser=postgres
# pg_stat_statements (Postgres' contrib, shipped with the server) when present: scripts/bench.sh reads
# which statements each request runs. Loading it costs the server next to nothing.
pg_stats=""
if compgen -G "/usr/lib/postgresql/*/lib/pg_stat_statements.so" >/dev/null; then pg_stats="-c shared_preload_libraries=pg_stat_statements"; fi
# One set of server options for start and the fault-injection restart, so a restart brings back the same server.
pg_opts="-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_sock -c max_connections=200 -c fsync=off $pg_stats"
pg_password=${NANOBANANA_PG_PASSWORD:-postgres}

log() { printf '[services] %s\n' "$*"; }

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  local d; d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 1; }
  echo "$d"
}

as_postgres() { runuser -u postgres -- "$@"; }

# The postgres user must be able to reach .local/ even when the checkout sits under a private
# directory (mktemp -d makes 0700 folders): grant traverse-only (o+x) on the parents that lack it.
grant_traverse() {
  local d="$1"
  while [ "$d" != "/" ]; do
    if ! as_postgres test -x "$d" 2>/dev/null; then chmod o+x "$d"; fi
    d=$(dirname "$d")
  done
}

pg_running() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$pg_port" >/dev/null 2>&1; }

start_postgres() {
  local bin; bin=$(pg_bindir)
  mkdir -p "$local_dir"
  grant_traverse "$local_dir"
  if [ ! -s "$pg_data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $pg_data"
    install -d -o postgres -g postgres -m 0700 "$pg_data"
    local pwfile; pwfile=$(mktemp); printf '%s\n' "$pg_password" >"$pwfile"; chown postgres "$pwfile"
    as_postgres "$bin/initdb" -D "$pg_data" -U "$pg_superuser" --pwfile="$pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  install -d -o postgres -g postgres -m 0700 "$pg_sock"
  if pg_running; then
    if [ -f "$pg_data/postmaster.pid" ]; then log "PostgreSQL already running on 127.0.0.1:$pg_port"
    else log "a PostgreSQL that is not this checkout's ($pg_data) serves 127.0.0.1:$pg_port; using it (the reliability tests cannot restart it: stop it, or set NANOBANANA_PG_PORT)"; fi
    return
  fi
  touch "$pg_log"; chown postgres "$pg_log"
  as_postgres "$bin/pg_ctl" -D "$pg_data" -l "$pg_log" -w -t 60 start \
    -o "$pg_opts" >/dev/null
  log "PostgreSQL listening on 127.0.0.1:$pg_port"
}

stop_postgres() {
  [ -s "$pg_data/PG_VERSION" ] || return 0
  if pg_running; then as_postgres "$(pg_bindir)/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null; log "PostgreSQL stopped"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

azurite_running() { [ -s "$azurite_pid" ] && kill -0 "$(cat "$azurite_pid")" 2>/dev/null; }

start_azurite() {
  local exe="$azurite_tools/node_modules/.bin/azurite"
  if [ ! -x "$exe" ]; then
    command -v npm >/dev/null || { echo "npm not found: apt-get install nodejs npm" >&2; exit 1; }
    log "installing azurite@$azurite_version from npm"
    npm install --silent --no-audit --no-fund --prefix "$azurite_tools" "azurite@$azurite_version" >/dev/null
  fi
  if azurite_running; then log "Azurite already running"; return; fi
  if port_open "$blob_port" && port_open "$queue_port"; then log "something already serves 127.0.0.1:$blob_port/$queue_port (another Azurite?); using it"; return; fi
  mkdir -p "$azurite_dir"
  # --skipApiVersionCheck: current Azure SDKs send a newer x-ms-version than Azurite knows.
  nohup "$exe" --silent --skipApiVersionCheck --location "$azurite_dir" \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "$blob_port" --queuePort "$queue_port" --tablePort "$table_port" >"$local_dir/azurite.out" 2>&1 &
  echo $! >"$azurite_pid"
  for _ in $(seq 1 60); do
    if port_open "$blob_port" && port_open "$queue_port"; then
      log "Azurite listening on 127.0.0.1:$blob_port (blob) and :$queue_port (queue)"; return
    fi
    sleep 0.5
  done
  echo "Azurite did not start; see $local_dir/azurite.out" >&2; exit 1
}

stop_azurite() {
  if azurite_running; then
    local pid; pid=$(cat "$azurite_pid")
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$azurite_pid"; log "Azurite stopped"
  fi
}

restart_postgres() {
  local mode=${1:-fast}
  if pg_running && [ ! -f "$pg_data/postmaster.pid" ]; then
    echo "the PostgreSQL on 127.0.0.1:$pg_port is not this checkout's ($pg_data); stop it, or set NANOBANANA_PG_PORT" >&2; exit 1
  fi
  as_postgres "$(pg_bindir)/pg_ctl" -D "$pg_data" -l "$pg_log" -m "$mode" -w -t 60 restart \
    -o "$pg_opts" >/dev/null
  log "PostgreSQL restarted ($mode shutdown)"
}

case "${1:-}" in
  start) start_postgres; start_azurite ;;
  stop) stop_azurite; stop_postgres ;;
  restart-postgres) restart_postgres "${2:-fast}" ;;
  stop-azurite) stop_azurite ;;
  start-azurite) start_azurite ;;
  status)
    if pg_running; then log "PostgreSQL: up on 127.0.0.1:$pg_port"; else log "PostgreSQL: down"; fi
    if azurite_running; then log "Azurite: up (pid $(cat "$azurite_pid"))"; else log "Azurite: down"; fi ;;
  *) echo "usage: $0 start|stop|status|restart-postgres [fast|immediate]|stop-azurite|start-azurite" >&2; exit 2 ;;
esac
