#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the Debian packages it needs
# (scripts/prerequisites.sh: as root, or through sudo), starts PostgreSQL and Azurite
# (scripts/services.sh start, idempotent), then runs every suite, each even when an earlier one failed:
#   .NET        unit and integration tests against the real PostgreSQL and Azurite
#   TypeScript  the web client's type check
#   Vitest      the web client's unit tests
#   browser     Chromium driving the reference page against the test HTTP front (which the .NET build made)
# It ends with a table (suite, passed, failed, skipped, time, or why a suite did not run) and exits
# non-zero if any suite failed or did not run. Each suite's whole output is also in .local/test-logs/.
#
#   scripts/test.sh                                    # everything
#   scripts/test.sh --filter "FullyQualifiedName~X"    # only the matching .NET tests (a targeted run)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
logs="$root/.local/test-logs"
# shellcheck source=prerequisites.sh
source "$root/scripts/prerequisites.sh"

declare -a rows=()
failed_suites=0
total_passed=0 total_failed=0 total_skipped=0

# row SUITE PASSED FAILED SKIPPED SECONDS NOTE
row() { rows+=("$(printf '%-11s %7s %7s %8s %7s  %s' "$@")"); }

# Counts from the runner's own report, so the table says what ran, not what the exit code implies.
dotnet_counts() { # -> passed failed skipped, summed over the TRX reports in $1 (skipped: not executed)
  cat "$1"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' |
    sed -E 's/.* passed="([0-9]+)".* failed="([0-9]+)".*/\1 \2/' |
    awk -v skipped="$(cat "$1"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | sed -E 's/.* notExecuted="([0-9]+)".*/\1/' | awk '{s+=$1} END {print s+0}')" \
      '{p+=$1; f+=$2; n++} END {if (n) print p, f, skipped}'
}
vitest_counts() { # -> passed failed skipped, from Vitest's JSON report
  [ -s "$1" ] && node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)' "$1" 2>/dev/null
}

# run_suite NAME COUNTER REPORT COMMAND...: runs one suite, its output to the terminal and its log.
run_suite() {
  local name=$1 counter=$2 report=$3; shift 3
  local log="$logs/$(printf %s "$name" | tr -cd "[:alnum:]" | tr "[:upper:]" "[:lower:]").log" start=$SECONDS status counts passed failed skipped note=""
  echo; echo "[test] ── $name: $*"
  [ "$report" = - ] || rm -rf "$report"
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  counts=$($counter "$report")
  if [ -n "$counts" ]; then read -r passed failed skipped <<<"$counts"; else passed=- failed=- skipped=-; fi
  if [ "$status" -ne 0 ]; then
    failed_suites=$((failed_suites + 1))
    note="FAILED (exit $status; log: ${log#"$root"/})"
  elif [ "$counter" != none_counts ] && [ "$passed" = - ]; then
    failed_suites=$((failed_suites + 1))
    note="FAILED (no test report; log: ${log#"$root"/})"
  elif [ "$passed" = 0 ] && [ "$counter" != none_counts ]; then
    failed_suites=$((failed_suites + 1))
    note="FAILED (no test ran)"
  else
    note=ok
  fi
  [ "$passed" = - ] || { total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed)); total_skipped=$((total_skipped + skipped)); }
  row "$name" "$passed" "$failed" "$skipped" "$((SECONDS - start))s" "$note"
  return "$status"
}
none_counts() { :; }

did_not_run() { failed_suites=$((failed_suites + 1)); row "$1" - - - - "did not run: $2"; }
not_asked() { row "$1" - - - - "not run: $2"; }

finish() {
  echo
  echo "[test] ── summary"
  printf '%-11s %7s %7s %8s %7s  %s\n' suite passed failed skipped time result
  printf '%s\n' "${rows[@]}"
  # The plain closing line any CI reads: N passed, N failed.
  echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
  [ "$failed_suites" -eq 0 ]
  exit $?
}

mkdir -p "$logs"
if ! prerequisites_install; then
  did_not_run ".NET" "prerequisites missing (above)"; did_not_run TypeScript "prerequisites missing"
  did_not_run Vitest "prerequisites missing"; did_not_run browser "prerequisites missing"; finish
fi
if ! "$root/scripts/services.sh" start; then
  did_not_run ".NET" "PostgreSQL or Azurite did not start (above)"; did_not_run TypeScript "services did not start"
  did_not_run Vitest "services did not start"; did_not_run browser "services did not start"; finish
fi

run_suite ".NET" dotnet_counts "$logs/dotnet-results" dotnet test "$root/NanoBanana.sln" --logger "console;verbosity=normal" \
  --logger trx --results-directory "$logs/dotnet-results" "$@"
dotnet_status=$?
if [ $# -gt 0 ]; then
  for suite in TypeScript Vitest browser; do not_asked "$suite" "arguments given, only the matching .NET tests ran"; done
  finish
fi

cd "$root/clients/web" || exit 1
# npm ci only when the lock file changed since the last install.
if ! { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }; then
  for suite in TypeScript Vitest browser; do did_not_run "$suite" "npm ci failed (above)"; done
  finish
fi
run_suite TypeScript none_counts - npm run --silent typecheck
run_suite Vitest vitest_counts "$logs/vitest.json" npx vitest run --reporter=default --reporter=json --outputFile.json="$logs/vitest.json"
if [ "$dotnet_status" -ne 0 ] && [ ! -f "$root/NanoBanana.Functions.Tests/bin/Debug/net10.0/NanoBanana.Functions.Tests.dll" ]; then
  did_not_run browser "the .NET build failed, so there is no test HTTP front to serve the page"
else
  run_suite browser vitest_counts "$logs/browser.json" npx vitest run --config e2e/vitest.config.ts \
    --reporter=verbose --reporter=json --outputFile.json="$logs/browser.json"
fi
finish
