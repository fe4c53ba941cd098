#!/usr/bin/env bash
# Creates, or brings up to date, the app's least-privilege login (docs/SECURITY.md): it may log
# in, inherits nothing and owns nothing, and is a member of nanobanana_api and nanobanana_maintenance,
# which every statement of the app takes on. Run it as the database owner after database/migrate.sh
# (which creates the two roles). Running it again sets the password again and changes nothing else.
#
#   NANOBANANA_APP_PASSWORD=<password> database/create-login.sh <postgres-url> [login, default nanobanana_app]
set -euo pipefail

url=${1:?usage: NANOBANANA_APP_PASSWORD=<password> $0 <postgres-url> [login]}
login=${2:-nanobanana_app}
password=${NANOBANANA_APP_PASSWORD:?set NANOBANANA_APP_PASSWORD to the login\'s password}

# psql reads the password from its environment (\getenv, psql 15+), never from a command line
# other processes can read.
export NANOBANANA_APP_PASSWORD="$password"
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -v login="$login" "$url" <<'SQL'
\getenv password NANOBANANA_APP_PASSWORD
SELECT format('CREATE ROLE %I LOGIN NOINHERIT', :'login')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'login') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOINHERIT PASSWORD %L', :'login', :'password') \gexec
SELECT format('GRANT nanobanana_api, nanobanana_maintenance TO %I', :'login') \gexec
SQL
echo "[create-login] $login: login, NOINHERIT, member of nanobanana_api and nanobanana_maintenance"
