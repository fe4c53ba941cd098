#!/usr/bin/env bash
# The performance benchmark, one command on a fresh machine: starts Postgres and Azurite
# (scripts/services.sh), installs wrk when missing, builds Release, runs the app behind the test HTTP
# front as a process of its own (real Postgres, Azurite, the worker, an instant Gemini fake), drives it
# over loopback with wrk, measures the platform's floors in the same run, prints the table and
# rewrites the generated section of docs/PERFORMANCE.md (the written findings stay).
#
#   scripts/bench.sh                      # the full run (about 6 minutes), figures into docs/PERFORMANCE.md
#   scripts/bench.sh --maintenance        # also: poll while the cleanup deletes 1M expired rows (--maintenance-rows N),
#                                         # closed loop (wrk) and at a fixed rate (--paced-rate N requests/s; default a quarter of the quiet rate)
#   scripts/bench.sh --size tiny          # every step in seconds (CI runs this; figures printed, not written)
#   scripts/bench.sh micro [BenchmarkDotNet args]   # the hot units' micro-benchmarks (--filter '*Token*', ...)
#   scripts/bench.sh references           # the worker's memory for 14 x 7 MB uploaded references, Gemini__InputsByUrl off and on
#   scripts/bench.sh memory [MB]          # the worker's memory for one large result (20 MB), streamed (drafts) and not, a process each
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tests="$root/NanoBanana.Functions.Tests"

if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench] installing wrk (Debian)"
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi
"$root/scripts/services.sh" start
dotnet build "$tests/NanoBanana.Functions.Tests.csproj" -c Release -v q --nologo >/dev/null
dll="$tests/bin/Release/net10.0/NanoBanana.Functions.Tests.dll"

if [ "${1:-}" = references ]; then
  shift
  exec dotnet "$dll" references "$@"
fi

if [ "${1:-}" = memory ]; then
  echo "| result through the worker | allocated during the delivery | largest managed-heap growth |"
  echo "|---|---|---|"
  for drafts in off on; do dotnet "$dll" memory "$drafts" "${2:-20}"; done
  exit 0
fi

if [ "${1:-}" = micro ]; then
  shift
  exec dotnet "$dll" micro "$@"
fi

out=(--out "$root/docs/PERFORMANCE.md")
for arg in "$@"; do
  case "$arg" in tiny|--out) out=() ;; esac
done
dotnet "$dll" bench "${out[@]}" "$@"
