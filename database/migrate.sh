#!/usr/bin/env bash
# Applies database/migrations/*.sql, in name order, to any PostgreSQL database.
#
#   database/migrate.sh [--create-database] <postgres-url>
#   e.g. database/migrate.sh --create-database postgresql://postgres:postgres@127.0.0.1:54329/nanobanana
#
# Each file runs once, in its own transaction, under an advisory lock, and is recorded in
# schema_migrations with its checksum, so running this twice (or from two machines at once) is safe.
# The files are also written to be re-runnable on their own (IF NOT EXISTS and friends).
# Then database/routines/*.sql (the trigger functions and their triggers: one current definition each) are
# applied after the migrations, and again whenever a file's checksum differs from schema_routines': a routine
# is changed in place, never by a migration that copies it.
set -euo pipefail

create_db=false
if [ "${1:-}" = "--create-database" ]; then create_db=true; shift; fi
url=${1:-${DATABASE_URL:-}}
[ -n "$url" ] || { echo "usage: $0 [--create-database] <postgres-url>" >&2; exit 2; }
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/migrations" && pwd)
routines=$(cd "$(dirname "${BASH_SOURCE[0]}")/routines" && pwd)
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$@"; }

if $create_db; then
  base=${url%%\?*}
  query=${url#"$base"}
  db=${base##*/}
  admin_url="${base%/*}/postgres${query}"
  if [ "$(psql_q -tA "$admin_url" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
    psql_q "$admin_url" -c "CREATE DATABASE \"$db\"" && echo "[migrate] created database $db"
  fi
fi

psql_q "$url" <<'SQL'
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
SQL

for file in "$dir"/*.sql; do
  version=$(basename "$file" .sql)
  checksum=$(sha256sum "$file" | cut -d' ' -f1)
  psql_q "$url" --single-transaction -v version="$version" -v checksum="$checksum" -v file="$file" <<'SQL'
SELECT pg_advisory_xact_lock(hashtext('nanobanana.schema_migrations')) AS locked \gset
SELECT NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = :'version') AS pending \gset
\if :pending
\i :file
INSERT INTO schema_migrations (version, checksum) VALUES (:'version', :'checksum');
\echo [migrate] applied :version
\else
SELECT checksum <> :'checksum' AS changed FROM schema_migrations WHERE version = :'version' \gset
\if :changed
\warn [migrate] warning: :version changed after it was applied; write a new migration instead
\endif
\endif
SQL
done

# Routines, after every migration (they may use any table or column the migrations made).
psql_q "$url" <<'SQL'
CREATE TABLE IF NOT EXISTS schema_routines (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON schema_routines TO nanobanana_maintenance;
SQL
for file in "$routines"/*.sql; do
  name=$(basename "$file" .sql)
  checksum=$(sha256sum "$file" | cut -d' ' -f1)
  psql_q "$url" --single-transaction -v name="$name" -v checksum="$checksum" -v file="$file" <<'SQL'
SELECT pg_advisory_xact_lock(hashtext('nanobanana.schema_migrations')) AS locked \gset
SELECT NOT EXISTS (SELECT 1 FROM schema_routines WHERE name = :'name' AND checksum = :'checksum') AS due \gset
\if :due
\i :file
INSERT INTO schema_routines (name, checksum) VALUES (:'name', :'checksum')
ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now();
\echo [migrate] applied routines :name
\endif
SQL
done
