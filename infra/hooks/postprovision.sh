#!/bin/sh
# azd postprovision hook: applies database/migrations (database/migrate.sh) and creates or updates
# the app's least-privilege login (database/create-login.sh; with Entra authentication a login
# mapped to the function app's managed identity instead), as the server's administrator over a
# direct connection (5432). It opens the server's firewall to this machine's public address for the
# run and closes it again. Needs the Azure CLI (signed in), psql, curl. Never done at app start.
set -eu

fail() { echo "[postprovision] $*" >&2; exit 1; }
for tool in az psql curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is required (docs/DEPLOY.md, Prerequisites)"
done
for name in AZURE_RESOURCE_GROUP AZURE_KEY_VAULT_NAME POSTGRES_SERVER_NAME POSTGRES_HOST POSTGRES_DATABASE POSTGRES_ADMIN_LOGIN POSTGRES_APP_LOGIN; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set: did the provision finish? (azd env get-values)"
done

secret() { az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" --name "$1" --query value -o tsv; }
admin_password=$(secret postgres-admin-password)
app_password=$(secret postgres-app-password)

address=${NANOBANANA_DEPLOYER_IP:-$(curl -fsS https://api.ipify.org)}
rule="azd-migrate-$(date +%s)"
echo "[postprovision] allowing $address to reach $POSTGRES_SERVER_NAME for the migration (rule $rule)"
az postgres flexible-server firewall-rule create --resource-group "$AZURE_RESOURCE_GROUP" --name "$POSTGRES_SERVER_NAME" \
  --rule-name "$rule" --start-ip-address "$address" --end-ip-address "$address" --output none
close() {
  az postgres flexible-server firewall-rule delete --resource-group "$AZURE_RESOURCE_GROUP" --name "$POSTGRES_SERVER_NAME" \
    --rule-name "$rule" --yes --output none || echo "[postprovision] could not delete firewall rule $rule: delete it by hand" >&2
}
trap close EXIT

# The password reaches psql through its environment, not on a command line.
export PGPASSWORD="$admin_password"
url="postgresql://$POSTGRES_ADMIN_LOGIN@$POSTGRES_HOST:5432/$POSTGRES_DATABASE?sslmode=require"
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/database/migrate.sh" "$url"
if [ "${POSTGRES_ENTRA_AUTH:-false}" != true ]; then
  NANOBANANA_APP_PASSWORD="$app_password" bash "$root/database/create-login.sh" "$url" "$POSTGRES_APP_LOGIN"
  echo "[postprovision] database migrated; $POSTGRES_APP_LOGIN holds nanobanana_api and nanobanana_maintenance"
  exit 0
fi

# Entra authentication: the deployer, the server's Entra administrator, maps a login to the function
# app's managed identity (only an Entra administrator may); then the database owner grants it the two
# roles without inheriting them (PostgreSQL 16's WITH INHERIT FALSE: the same as create-login.sh's NOINHERIT).
for name in POSTGRES_ENTRA_ADMIN POSTGRES_ENTRA_APP_LOGIN AZURE_FUNCTION_APP_PRINCIPAL_ID; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set (NANOBANANA_POSTGRES_ENTRA_ADMIN: your UPN as the server's Entra administrator)"
done
PGPASSWORD=$(az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv) \
PGUSER="$POSTGRES_ENTRA_ADMIN" psql -X -q -v ON_ERROR_STOP=1 -v login="$POSTGRES_ENTRA_APP_LOGIN" -v oid="$AZURE_FUNCTION_APP_PRINCIPAL_ID" \
  "host=$POSTGRES_HOST port=5432 dbname=postgres sslmode=require" <<'SQL'
SELECT format('SELECT * FROM pgaadauth_create_principal_with_oid(%L, %L, %L, false, false)', :'login', :'oid', 'service')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'login') \gexec
SQL
psql -X -q -v ON_ERROR_STOP=1 -v login="$POSTGRES_ENTRA_APP_LOGIN" "$url" <<'SQL'
SELECT format('GRANT nanobanana_api, nanobanana_maintenance TO %I WITH INHERIT FALSE', :'login') \gexec
SQL
echo "[postprovision] database migrated; $POSTGRES_ENTRA_APP_LOGIN (the app's managed identity) holds nanobanana_api and nanobanana_maintenance"
