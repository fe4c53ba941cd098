#!/usr/bin/env bash
# The original's operator commands (cleanup-generations.js, verify-database.js) by the same names,
# against a local or deployed NanoBanana, through its maintenance endpoints (docs/OPERATIONS.md).
#
#   scripts/admin.sh stats [--days N] | cleanup | fix-stuck | all | verify   [--json]
#
#   stats      counts by status, stuck work, success rate, time to result, failure reasons, growth
#   fix-stuck  repair now: expired leases re-queued or failed STUCK, lost messages re-sent, orphan blobs
#   cleanup    delete generations past the retention (with their images), then repair
#   all        cleanup (which repairs), then stats
#   verify     connectivity, migrations, tables, indexes, row-level security; exit 1 when unhealthy
#
# Environment: NANOBANANA_API_URL (default http://localhost:7071/api; azd env get-value NANOBANANA_API_URL),
# NANOBANANA_ADMIN_KEY (the function app's master key: az functionapp keys list ... --query masterKey;
# not needed against func start) or NANOBANANA_ADMIN_KEY_FILE (a file holding it). The key reaches curl
# on its standard input, never on a command line, where `ps` shows it to every user of the machine.
# Human-readable by default, --json for scripts. Needs curl and jq.
set -euo pipefail

usage() { sed -n '5,11p' "$0" >&2; exit 2; }
command=${1:-}; [ -n "$command" ] || usage; shift
json=false days=7
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=true ;;
    --days) days=${2:?--days needs a number}; shift ;;
    *) usage ;;
  esac
  shift
done
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "admin: $tool is required" >&2; exit 2; }; done
admin_key=${NANOBANANA_ADMIN_KEY:-}
if [ -n "${NANOBANANA_ADMIN_KEY_FILE:-}" ]; then
  [ -r "$NANOBANANA_ADMIN_KEY_FILE" ] || { echo "admin: NANOBANANA_ADMIN_KEY_FILE $NANOBANANA_ADMIN_KEY_FILE cannot be read" >&2; exit 2; }
  admin_key=$(tr -d '\r\n' <"$NANOBANANA_ADMIN_KEY_FILE")
fi
case "$admin_key" in *'"'*|*'\'*) echo "admin: the master key holds a quote or a backslash; it cannot be right" >&2; exit 2 ;; esac
base=${NANOBANANA_API_URL:-http://localhost:7071/api}
base=${base%/}

# call METHOD PATH: prints the body; fails (exit 1) on anything but 2xx, except 503 from verify.
call() {
  local out status
  out=$(mktemp)
  # The header goes in as curl configuration on stdin (printf is a bash builtin: no process of its own).
  status=$(printf '%s\n' ${admin_key:+"header = \"x-functions-key: $admin_key\""} | curl -sS -K - -X "$1" "$base$2" \
    -o "$out" -w '%{http_code}' --max-time 240) || { rm -f "$out"; echo "admin: no answer from $base$2" >&2; exit 1; }
  if [ "${status:0:1}" != 2 ] && ! { [ "$status" = 503 ] && [ "$2" = /maintenance/verify-database ]; }; then
    echo "admin: $1 $2 answered $status: $(head -c 500 "$out")" >&2
    [ "$status" = 401 ] && echo "admin: set NANOBANANA_ADMIN_KEY (or NANOBANANA_ADMIN_KEY_FILE) to the function app's master key" >&2
    rm -f "$out"; exit 1
  fi
  cat "$out"; rm -f "$out"
}

print_stats() {
  jq -r '
    def size: if . < 1048576 then (. / 1024 | round | tostring) + " KB" else (. / 1048576 * 10 | round / 10 | tostring) + " MB" end;
    def s: if . == null then "-" else tostring + " s" end;
    "NanoBanana stats, generations created in the last \(.windowDays) days (at \(.generatedAt))",
    "  by status        " + ([.countsByStatus | to_entries[] | "\(.key) \(.value)"] | join(", ")),
    "  active now       \(.active) (stuck with an expired lease: \(.stuckProcessing))",
    "  created          \(.window.created): completed \(.window.completed), failed \(.window.failed), cancelled \(.window.cancelled)",
    "  success rate     " + (if .window.successRate == null then "-" else (.window.successRate * 1000 | round / 10 | tostring) + " %" end),
    "  time to result   avg \(.window.durationSeconds.average | s), p50 \(.window.durationSeconds.p50 | s), p95 \(.window.durationSeconds.p95 | s)",
    "  failure reasons  " + (if (.window.failureReasons | length) == 0 then "none" else ([.window.failureReasons[] | "\(.code) \(.count)"] | join(", ")) end),
    "  created per day  " + (if (.window.createdPerDay | length) == 0 then "none" else ([.window.createdPerDay[] | "\(.day) \(.created)"] | join(", ")) end),
    "  storage          table \(.tableBytes | size), images \(.imageBytes | size)"'
}

print_repair() {
  jq -r '.repair | "  repair           \(.requeued) re-queued, \(.stuck) failed STUCK, \(.resent) messages re-sent (\(.sendFailures) failed), \(.orphanBlobsDeleted) orphan blobs deleted"'
}

# The cleanup endpoint answers within Azure's HTTP limit and says finished: false when there is more.
cleanup() {
  local reports=() report round
  for round in $(seq 1 20); do
    report=$(call POST /maintenance/cleanup)
    reports+=("$report")
    [ "$(jq -r '.cleanup.finished' <<<"$report")" = true ] && break
  done
  if $json; then
    printf '%s\n' "${reports[@]}" | jq -s '{rounds: ., deletedGenerations: (map(.cleanup.deletedGenerations) | add), finished: (last.cleanup.finished)}'
  else
    for report in "${reports[@]}"; do
      jq -r '.cleanup | "  cleanup          \(.deletedGenerations) generations created before \(.cutoff) deleted, \(.deletedBlobs) blobs, \(.batches) batches\(if .finished then "" else " (more to do)" end)"' <<<"$report"
      print_repair <<<"$report"
    done
  fi
}

case "$command" in
  stats)
    if $json; then call GET "/maintenance/stats?days=$days"; else call GET "/maintenance/stats?days=$days" | print_stats; fi ;;
  fix-stuck)
    if $json; then call POST /maintenance/repair; else echo "NanoBanana repair"; call POST /maintenance/repair | print_repair; fi ;;
  cleanup)
    $json || echo "NanoBanana cleanup"
    cleanup ;;
  all)
    if $json; then
      jq -n --argjson cleanup "$(cleanup)" --argjson stats "$(call GET "/maintenance/stats?days=$days")" '{cleanup: $cleanup, stats: $stats}'
    else
      echo "NanoBanana cleanup"; cleanup; call GET "/maintenance/stats?days=$days" | print_stats
    fi ;;
  verify)
    report=$(call GET /maintenance/verify-database)
    if $json; then echo "$report"; else
      jq -r '"NanoBanana database: \(if .healthy then "healthy" else "UNHEALTHY" end)", (.checks[] | "  \(if .ok then "ok  " else "FAIL" end) \(.name): \(.detail)")' <<<"$report"
    fi
    [ "$(jq -r '.healthy' <<<"$report")" = true ] ;;
  *) usage ;;
esac
