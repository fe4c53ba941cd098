#!/usr/bin/env bash
# Moves a team's history from the original Express + Supabase app into NanoBanana (docs/DEPLOY.md,
# "Moving in from the original system"): rows with their statuses, base64 images into Blob Storage,
# never the plain-text Gemini keys. Safe to run again: what is already there is left as it is.
#
#   NANOBANANA_ORIGINAL_DATABASE='postgresql://postgres:<pw>@db.<project>.supabase.co:5432/postgres' \
#     scripts/import-original.sh --user <supabase-user-uuid> [--settings local.settings.json] [--json]
#   scripts/import-original.sh --all-users --source <url> ...
#
# The target is named by the app's own settings (Postgres__ConnectionString, AzureWebJobsStorage or
# AzureWebJobsStorage__accountName, Storage__ImageContainer) in the environment or in --settings.
# Exit codes: 0 done, 2 bad arguments or settings, 3 some generations left for a later run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project="$root/database/import"

# Build quietly on stderr, so stdout carries only the report (--json stays parsable).
dotnet build "$project/NanoBanana.Import.csproj" -c Release --nologo -v q -o "$root/.local/import" >&2
exec dotnet "$root/.local/import/NanoBanana.Import.dll" "$@"
