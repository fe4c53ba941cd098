#!/usr/bin/env bash
# Runs this checkout's build under the real Azure Functions host (not Core Tools, not the test front) and
# checks what only the host shows: it starts, a generation made through it completes (scripts/smoke.sh), and
# its log has no "The specified queue does not exist" and no failures over a quiet minute afterwards.
# A local check for changes to start-up, storage or hosting; CI cannot build the host (no GitHub access).
#
#   FHOST=/path/to/out scripts/host-check.sh [quiet-seconds, default 60]
#
# FHOST is the output of ../shared/tools/build-functions-host.sh (its host/ folder holds
# Microsoft.Azure.WebJobs.Script.WebHost.dll). The app runs with local.settings.sample.json's values,
# a queue of its own (so an earlier run's messages do not count) and HOST_CHECK_PORT (7391).
# Leaves the host's log in .local/host-check.log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
host_dir=${FHOST:?set FHOST to the output folder of build-functions-host.sh}/host
quiet=${1:-60}
port=${HOST_CHECK_PORT:-7391}
log_file="$root/.local/host-check.log"
say() { printf '[host-check] %s\n' "$*"; }
[ -f "$host_dir/Microsoft.Azure.WebJobs.Script.WebHost.dll" ] || { echo "no Functions host in $host_dir" >&2; exit 2; }

scripts/services.sh start
database/migrate.sh --create-database "postgresql://postgres:${NANOBANANA_PG_PASSWORD:-postgres}@127.0.0.1:${NANOBANANA_PG_PORT:-54329}/nanobanana" >/dev/null
dotnet build NanoBanana.Functions -v q -nologo -clp:ErrorsOnly
app="$root/NanoBanana.Functions/bin/Debug/net10.0"

# The sample's Values as NAME=value lines (its // comments dropped), with a fresh queue name.
queue="hostcheck$(date +%s)"
mapfile -t values < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/^\s*\/\/.*$/gm, "");
  for (const [k, v] of Object.entries(JSON.parse(text).Values)) console.log(`${k}=${v}`);
' local.settings.sample.json)

# CONTAINER_NAME (set on some build machines) makes the host believe it runs on Linux Consumption,
# where it refuses to load the app without a cloud-provisioned AzureWebJobsStorage.
env -u CONTAINER_NAME "${values[@]}" Storage__QueueName="$queue" \
  AzureWebJobsScriptRoot="$app" ASPNETCORE_URLS="http://127.0.0.1:$port" \
  AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
  bash -c "cd '$host_dir' && exec dotnet Microsoft.Azure.WebJobs.Script.WebHost.dll" >"$log_file" 2>&1 &
host_pid=$!
trap 'kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  grep -q "Job host started" "$log_file" && break
  kill -0 "$host_pid" 2>/dev/null || { tail -30 "$log_file" >&2; echo "the host exited before it started" >&2; exit 1; }
  sleep 1
done
grep -q "Job host started" "$log_file" || { echo "the host did not start within 120 s; see $log_file" >&2; exit 1; }
say "host started on 127.0.0.1:$port (queue $queue)"

SMOKE_TIMEOUT=120 scripts/smoke.sh "http://127.0.0.1:$port/api" "$(scripts/dev-token.sh host-check)"
say "quiet for ${quiet}s"
sleep "$quiet"

missing_queues=$(grep -c "The specified queue does not exist" "$log_file" || true)
failures=$(grep -c "^fail:" "$log_file" || true)
say "the host's log: $missing_queues 'queue does not exist', $failures 'fail:' lines ($log_file)"
[ "$missing_queues" = 0 ] && [ "$failures" = 0 ]
