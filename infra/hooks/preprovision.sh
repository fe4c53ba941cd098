#!/bin/sh
# azd preprovision hook: checks that the settings the chosen auth mode and Gemini backend need are
# there (a missing one stops here, named, rather than as an app that refuses to start), and makes
# the key that seals personal Gemini keys when this environment has none. azd passes the
# environment's values (azd env set ...) as environment variables. docs/DEPLOY.md lists them.
set -eu

fail() { echo "[preprovision] $*" >&2; exit 1; }
note() { echo "[preprovision] $*"; }

# A secret already in this environment's Key Vault (after the first provision) need not be given again.
vault_has() {
  [ -n "${AZURE_KEY_VAULT_NAME:-}" ] || return 1
  command -v az >/dev/null 2>&1 || return 0
  az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" --name "$1" --query id -o tsv >/dev/null 2>&1
}

require() {
  eval "value=\${$1:-}"
  [ -n "$value" ] || fail "azd env set $1 <value>: $2"
}

auth_mode=${NANOBANANA_AUTH_MODE:-SupabaseHs256}
case "$auth_mode" in
  SupabaseHs256)
    require NANOBANANA_AUTH_ISSUER "the token issuer, https://<project>.supabase.co/auth/v1"
    if [ -n "${NANOBANANA_AUTH_SIGNING_KEY:-}" ]; then
      [ "${#NANOBANANA_AUTH_SIGNING_KEY}" -ge 32 ] || fail "NANOBANANA_AUTH_SIGNING_KEY must be at least 32 characters (Supabase: Project Settings > API > JWT secret)"
    elif ! vault_has auth-signing-key; then
      fail "azd env set NANOBANANA_AUTH_SIGNING_KEY <secret>: the Supabase project's JWT secret (it goes to Key Vault)"
    fi ;;
  Oidc)
    require NANOBANANA_AUTH_ISSUER "the iss of the tokens the API accepts"
    require NANOBANANA_AUTH_AUTHORITY "the OIDC authority (keys from <authority>/.well-known/openid-configuration)" ;;
  Jwks)
    require NANOBANANA_AUTH_ISSUER "the iss of the tokens the API accepts"
    require NANOBANANA_AUTH_JWKS_URI "the JWKS URL, e.g. https://<project>.supabase.co/auth/v1/.well-known/jwks.json" ;;
  AppServiceAuth)
    require NANOBANANA_EASY_AUTH_CLIENT_ID "the Entra app registration's client id"
    require NANOBANANA_EASY_AUTH_ISSUER "https://login.microsoftonline.com/<tenant-id>/v2.0" ;;
  *) fail "NANOBANANA_AUTH_MODE must be SupabaseHs256, Oidc, Jwks or AppServiceAuth (not '$auth_mode')" ;;
esac

backend=${NANOBANANA_GEMINI_BACKEND:-Developer}
case "$backend" in
  Developer)
    if [ "${NANOBANANA_GEMINI_SERVER_KEY:-true}" = "true" ] && [ -z "${GEMINI_API_KEY:-}" ] && ! vault_has gemini-api-key; then
      fail "azd env set GEMINI_API_KEY <key> (it goes to Key Vault), or azd env set NANOBANANA_GEMINI_SERVER_KEY false if every client sends its own X-Gemini-Api-Key"
    fi ;;
  Vertex)
    require NANOBANANA_VERTEX_PROJECT_ID "the Google Cloud project id"
    case "${NANOBANANA_VERTEX_CREDENTIALS:-ServiceAccountKey}" in
      ServiceAccountKey)
        if [ -z "${NANOBANANA_VERTEX_CREDENTIALS_JSON:-}" ] && ! vault_has vertex-credentials; then
          fail "azd env set NANOBANANA_VERTEX_CREDENTIALS_JSON \"\$(cat key.json)\": the service account's key (it goes to Key Vault)"
        fi ;;
      WorkloadIdentity)
        require NANOBANANA_VERTEX_WORKLOAD_IDENTITY_PROVIDER "//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>" ;;
      *) fail "NANOBANANA_VERTEX_CREDENTIALS must be ServiceAccountKey or WorkloadIdentity" ;;
    esac ;;
  *) fail "NANOBANANA_GEMINI_BACKEND must be Developer or Vertex (not '$backend')" ;;
esac

key_id=${NANOBANANA_ENCRYPTION_KEY_ID:-k1}
if [ -z "${NANOBANANA_ENCRYPTION_KEY:-}" ] && ! vault_has "encryption-key-$key_id"; then
  command -v openssl >/dev/null 2>&1 || fail "openssl is needed to make the key that seals personal Gemini keys"
  azd env set NANOBANANA_ENCRYPTION_KEY "$(openssl rand -base64 32)"
  note "made encryption key $key_id (sealing personal Gemini keys); it goes to Key Vault as encryption-key-$key_id"
fi

if [ "${NANOBANANA_POSTGRES_ENTRA_AUTH:-false}" = true ]; then
  require NANOBANANA_POSTGRES_ENTRA_ADMIN "your UPN (or the service principal's name): you become the database server's Entra administrator, which the postprovision hook signs in as"
fi

# Private networking (production by default) closes Storage and Key Vault to the internet; the
# deployer's own address stays open for azd deploy's package upload and the postprovision hook.
environment_type=${NANOBANANA_ENVIRONMENT_TYPE:-production}
case "${NANOBANANA_PRIVATE_NETWORKING:-auto}:$environment_type" in
  true:*|auto:production)
    if [ -z "${NANOBANANA_DEPLOYER_IP:-}" ]; then
      address=$(curl -fsS https://api.ipify.org) || fail "azd env set NANOBANANA_DEPLOYER_IP <your public IPv4>: private networking lets only it through the firewalls"
      azd env set NANOBANANA_DEPLOYER_IP "$address"
      note "private networking: $address (this machine) may reach Storage and Key Vault; azd env set NANOBANANA_DEPLOYER_IP to change it"
    fi ;;
  auto:development|false:*) ;;
  *) fail "NANOBANANA_PRIVATE_NETWORKING must be auto, true or false and NANOBANANA_ENVIRONMENT_TYPE production or development" ;;
esac

note "auth $auth_mode, Gemini $backend: settings complete"
