#!/usr/bin/env bash
# Sets up and runs NanoBanana locally: PostgreSQL + Azurite, the database schema, local settings,
# a build, then the Functions host (`func start`) on http://localhost:7071.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/services.sh start
database/migrate.sh --create-database "postgresql://postgres:${NANOBANANA_PG_PASSWORD:-postgres}@127.0.0.1:${NANOBANANA_PG_PORT:-54329}/nanobanana"

if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  echo "[run-local] created local.settings.json from local.settings.sample.json"
fi

dotnet build NanoBanana.Functions/NanoBanana.Functions.csproj -c Debug --nologo -v q

if ! command -v func >/dev/null 2>&1; then
  cat >&2 <<'MSG'
[run-local] Azure Functions Core Tools (v4) is not installed; everything else is ready.
Install it, then run this script again:
  npm install -g azure-functions-core-tools@4 --unsafe-perm true
  (or: https://learn.microsoft.com/azure/azure-functions/functions-run-local#install-the-azure-functions-core-tools)
MSG
  exit 1
fi

# The build output holds host.json, local.settings.json, worker.config.json and functions.metadata:
# everything the host reads, so it runs the app from there without building again.
cd NanoBanana.Functions/bin/Debug/net10.0
echo "[run-local] mint a token with: scripts/dev-token.sh <user-id>"
exec func start --port "${PORT:-7071}"
