#!/usr/bin/env bash
# Sets up and runs NanoBanana locally: PostgreSQL + Azurite, the database schema, local settings, a
# build, the Functions host (`func start`) on http://localhost:7071, and the reference page's dev server
# on http://localhost:5173, signed in as a demo user. Ctrl-C stops the host and the page.
#
# Without Core Tools it installs them (npm i -g azure-functions-core-tools@4); if that fails too, it
# says how to install them and serves the API with the test HTTP front instead (docs/FRONTEND.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
api_port=${PORT:-7071}
page_port=${NANOBANANA_PAGE_PORT:-5173}
log() { printf '[run-local] %s\n' "$*"; }

# shellcheck source=prerequisites.sh
source scripts/prerequisites.sh
prerequisites_install
scripts/services.sh start
database/migrate.sh --create-database "postgresql://postgres:${NANOBANANA_PG_PASSWORD:-postgres}@127.0.0.1:${NANOBANANA_PG_PORT:-54329}/nanobanana"

if [ ! -f local.settings.json ]; then
  sed "s/:5173/:$page_port/g" local.settings.sample.json >local.settings.json
  # Services on other ports (NANOBANANA_*_PORT, a second checkout): point the settings at them.
  if [ -n "${NANOBANANA_PG_PORT:-}" ]; then sed -i "s/Port=54329;/Port=$NANOBANANA_PG_PORT;/" local.settings.json; fi
  if [ "${NANOBANANA_BLOB_PORT:-10000}" != 10000 ] || [ "${NANOBANANA_QUEUE_PORT:-10001}" != 10001 ]; then
    azurite="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${NANOBANANA_BLOB_PORT:-10000}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${NANOBANANA_QUEUE_PORT:-10001}/devstoreaccount1;"
    sed -i "s#\"UseDevelopmentStorage=true\"#\"$azurite\"#" local.settings.json
  fi
  log "created local.settings.json from local.settings.sample.json"
fi
page_origins="http://localhost:$page_port,http://127.0.0.1:$page_port"
if ! grep -q '"CORS"' local.settings.json; then
  # An older local.settings.json: let the page's origin call the API (Host.CORS, as Core Tools reads it).
  sed -i "0,/{/s//{\n  \"Host\": { \"CORS\": \"$page_origins\", \"CORSCredentials\": false },/" local.settings.json
  log "added Host.CORS ($page_origins) to local.settings.json"
fi

if ! command -v func >/dev/null 2>&1; then
  log "installing Azure Functions Core Tools: npm i -g azure-functions-core-tools@4"
  npm i -g azure-functions-core-tools@4 --unsafe-perm true >"$root/.local/core-tools-install.log" 2>&1 || true
fi
use_front=false
if ! func --version >/dev/null 2>&1; then
  use_front=true
fi

if $use_front; then
  dotnet build NanoBanana.sln -c Debug --nologo -v q
else
  dotnet build NanoBanana.Functions/NanoBanana.Functions.csproj -c Debug --nologo -v q
fi

# The page: Vite's dev server, pointed at the local API. The demo user's development token is handed
# over in the link's fragment (the page keeps it and drops it from the address), never built into
# the page: a build-time variable would ship inside its JavaScript.
(cd clients/web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; })
token=$(scripts/dev-token.sh demo-user 43200)
(cd clients/web && VITE_NANOBANANA_API_URL="http://127.0.0.1:$api_port" \
  exec node node_modules/vite/bin/vite.js --config demo/vite.config.ts --port "$page_port" --strictPort) &
page_pid=$!
api_pid=
trap 'kill $page_pid $api_pid 2>/dev/null || true' EXIT INT TERM
log "the page: http://127.0.0.1:$page_port/#token=$token (signs in as demo-user; API http://127.0.0.1:$api_port)"
log "mint other tokens with: scripts/dev-token.sh <user-id>"

if $use_front; then
  cat >&2 <<MSG
[run-local] Azure Functions Core Tools (v4) is not installed, and installing it failed
  (log: .local/core-tools-install.log; its installer downloads from a CDN this machine may not reach).
  Install it yourself, then run this script again:
    npm install -g azure-functions-core-tools@4 --unsafe-perm true
    (or: https://learn.microsoft.com/azure/azure-functions/functions-run-local#install-the-azure-functions-core-tools)
  Meanwhile the API is served on :$api_port by the test HTTP front: the same functions (routes from
  functions.metadata), the queue worker and the timers, but no Functions host (no key checks; see docs/FRONTEND.md).
MSG
  dotnet NanoBanana.Functions.Tests/bin/Debug/net10.0/NanoBanana.Functions.Tests.dll front --port "$api_port" --settings local.settings.json &
else
  # The build output holds host.json, local.settings.json, worker.config.json and functions.metadata:
  # everything the host reads, so it runs the app from there without building again.
  (cd NanoBanana.Functions/bin/Debug/net10.0 && exec func start --port "$api_port") &
fi
api_pid=$!
wait "$api_pid"
