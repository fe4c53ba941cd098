#!/usr/bin/env bash
# Runs the whole test suite: unit tests and integration tests against a real PostgreSQL and Azurite,
# which this script starts first (scripts/services.sh start is idempotent).
#
#   scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/scripts/services.sh" start
dotnet test "$root/NanoBanana.sln" --logger "console;verbosity=normal" "$@"
