#!/usr/bin/env bash
# The post-deploy test: against any running NanoBanana (deployed or local) it creates a generation,
# polls it the way a phone does (ETag, Retry-After), fetches the image, checks the history and
# deletes it again. It prints what it saw and exits non-zero on the first deviation.
#
#   scripts/smoke.sh <api-base-url> <bearer-token>
#   scripts/smoke.sh "$(azd env get-value NANOBANANA_API_URL)" "$TOKEN"
#   scripts/smoke.sh http://localhost:7071/api "$(scripts/dev-token.sh alice)"
#
# Environment: SMOKE_TIMEOUT (seconds to wait for the result, default 300), SMOKE_PROMPT,
# SMOKE_GEMINI_KEY (sent as X-Gemini-Api-Key, for deployments without a server key).
# Needs bash, curl and jq.
set -euo pipefail

base=${1:?usage: $0 <api-base-url, e.g. https://<app>.azurewebsites.net/api> <bearer-token>}
token=${2:?usage: $0 <api-base-url> <bearer-token>}
base=${base%/}
case "$base" in */api) ;; *) base="$base/api" ;; esac
timeout=${SMOKE_TIMEOUT:-300}
prompt=${SMOKE_PROMPT:-"NanoBanana smoke test: one small yellow banana on a plain white background"}
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "smoke: $tool is required" >&2; exit 2; }; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { printf '%s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# call METHOD PATH [curl args...]: sets $status, $body (file), $headers (file).
call() {
  local method=$1 path=$2; shift 2
  body="$work/body" headers="$work/headers"
  status=$(curl -sS -X "$method" "$base$path" -H "Authorization: Bearer $token" \
    -D "$headers" -o "$body" -w '%{http_code}' --max-time 60 "$@") || fail "$method $path: no answer from $base"
}
header() { grep -i "^$1:" "$headers" | tail -n 1 | cut -d' ' -f2- | tr -d '\r'; }
problem() { jq -r '"\(.code // "?"): \(.detail // .title // "")"' "$body" 2>/dev/null || head -c 300 "$body"; }

say "smoke test of $base"

call GET /health
[ "$status" = 200 ] || fail "GET /health answered $status: $(cat "$body")"
say "ok   health: $(jq -c '.checks' "$body")"

key_header=()
[ -n "${SMOKE_GEMINI_KEY:-}" ] && key_header=(-H "X-Gemini-Api-Key: $SMOKE_GEMINI_KEY")
idempotency_key=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || date +%s%N)
call POST /generations -H 'Content-Type: application/json' -H "Idempotency-Key: $idempotency_key" "${key_header[@]}" \
  -d "$(jq -nc --arg prompt "$prompt" '{prompt: $prompt, aspectRatio: "1:1"}')"
[ "$status" = 202 ] || fail "POST /generations answered $status, expected 202: $(problem)"
id=$(jq -r '.id' "$body")
[ -n "$(header Location)" ] || fail "POST /generations: no Location header"
say "ok   created $id ($(jq -r '.status' "$body")), Location $(header Location)"

etag="" seen="" started=$(date +%s) polls=0 not_modified=0
while :; do
  call GET "/generations/$id" ${etag:+-H "If-None-Match: $etag"}
  polls=$((polls + 1))
  case "$status" in
    304) not_modified=$((not_modified + 1)) ;;
    200)
      etag=$(header ETag)
      generation_status=$(jq -r '.status' "$body")
      [ "$generation_status" = "$seen" ] || say "     status $generation_status after $(( $(date +%s) - started )) s"
      seen=$generation_status
      case "$generation_status" in
        completed) break ;;
        failed) fail "generation failed: $(jq -r '"\(.error.code): \(.error.message)"' "$body")" ;;
        cancelled) fail "generation was cancelled" ;;
      esac ;;
    *) fail "GET /generations/$id answered $status: $(problem)" ;;
  esac
  [ $(( $(date +%s) - started )) -lt "$timeout" ] || fail "still $seen after $timeout s (SMOKE_TIMEOUT)"
  wait=$(header Retry-After); wait=${wait:-2}; [ "$wait" -le 10 ] 2>/dev/null || wait=10
  sleep "$wait"
done
say "ok   completed in $(jq -r '.elapsedSeconds' "$body") s after $polls polls ($not_modified answered 304 Not Modified)"

call GET "/generations/$id/image"
[ "$status" = 200 ] || fail "GET /generations/$id/image answered $status: $(problem)"
type=$(header Content-Type) bytes=$(wc -c <"$body")
magic=$(head -c 12 "$body" | od -An -tx1 | tr -d ' \n')
case "$type:$magic" in
  image/png:89504e470d0a1a0a*|image/jpeg:ffd8ff*|image/webp:52494646????????57454250) ;;
  *) fail "the image's bytes ($magic...) are not the $type its Content-Type says" ;;
esac
[ "$bytes" -gt 0 ] || fail "empty image"
say "ok   image: $type, $bytes bytes"

call GET "/generations?limit=20"
[ "$status" = 200 ] || fail "GET /generations answered $status: $(problem)"
jq -e --arg id "$id" 'any(.items[]; .id == $id)' "$body" >/dev/null || fail "the generation is not in the history"
say "ok   history lists it"

call DELETE "/generations/$id"
[ "$status" = 204 ] || fail "DELETE /generations/$id answered $status: $(problem)"
call GET "/generations/$id"
[ "$status" = 404 ] || fail "after DELETE, GET /generations/$id answered $status, expected 404"
say "ok   deleted (GET now answers 404)"
say "smoke test passed"
