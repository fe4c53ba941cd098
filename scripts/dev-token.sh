#!/usr/bin/env bash
# Mints an HS256 bearer token for local development, signed with the Auth__* values in
# local.settings.json (the same ones the app validates against). Not for real identity providers.
#
#   TOKEN=$(scripts/dev-token.sh alice [lifetime-seconds])
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
settings=${NANOBANANA_SETTINGS:-$root/local.settings.json}
[ -f "$settings" ] || settings="$root/local.settings.sample.json"
user=${1:?usage: $0 <user-id> [lifetime-seconds]}
lifetime=${2:-3600}

setting() { grep -o "\"$1\": *\"[^\"]*\"" "$settings" | sed -E 's/.*: *"(.*)"/\1/'; }
issuer=$(setting Auth__Issuer)
audience=$(setting Auth__Audience)
key=$(setting Auth__SigningKey)
[ -n "$key" ] || { echo "Auth__SigningKey not found in $settings" >&2; exit 1; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"%s","iss":"%s","aud":"%s","iat":%d,"nbf":%d,"exp":%d}' \
  "$user" "$issuer" "$audience" "$now" "$now" "$((now + lifetime))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$key" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
