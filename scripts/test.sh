#!/usr/bin/env bash
# Runs the whole test suite: the .NET tests (unit, and integration against a real PostgreSQL and
# Azurite, which this script starts first: scripts/services.sh start is idempotent), then the web
# client's Vitest suite and the browser suite (Chromium driving the reference page against the
# test HTTP front, which the dotnet build produced).
#
#   scripts/test.sh                      # everything
#   scripts/test.sh --filter "FullyQualifiedName~X"   # only the matching .NET tests (a targeted run)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/scripts/services.sh" start
dotnet test "$root/NanoBanana.sln" --logger "console;verbosity=normal" "$@"
if [ $# -gt 0 ]; then
  echo "[test] arguments given: ran the matching .NET tests only (no arguments runs the web suites too)"
  exit 0
fi

cd "$root/clients/web"
# npm ci only when the lock file changed since the last install.
[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
npm run --silent typecheck
npm test
npm run e2e
