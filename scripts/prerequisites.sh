#!/usr/bin/env bash
# What the scripts and the tests need from the machine, in one place: the Debian packages (installed when
# missing, the same list for scripts/test.sh, scripts/run-local.sh and .ci/run), the .NET 10 SDK and
# Node.js 20.19+ with npm (checked, not installed: Debian 12's own nodejs is 18, too old for Vite 7, and
# NodeSource's nodejs, which brings npm, conflicts with Debian's npm package). Sourced by those scripts; also runnable on its own:
#
#   scripts/prerequisites.sh            # install what is missing (as root, or through sudo)
#   scripts/prerequisites.sh --check    # only say what is missing (exit 1 if anything is)

# package -> how to tell it is there
declare -A nanobanana_package_probe=(
  [postgresql]='compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null'   # the server: scripts/services.sh
  [postgresql-client]='command -v psql >/dev/null'                          # database/migrate.sh
  [openssl]='command -v openssl >/dev/null'                                 # scripts/dev-token.sh
  [curl]='command -v curl >/dev/null'                                       # scripts/smoke.sh, scripts/admin.sh
  [jq]='command -v jq >/dev/null'
  [chromium]='[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]'                 # the browser suite (Debian's build)
  [wrk]='command -v wrk >/dev/null'                                         # the benchmark (scripts/bench.sh)
)
nanobanana_packages=(postgresql postgresql-client openssl curl jq chromium wrk)

prerequisites_missing() {
  local package
  for package in "${nanobanana_packages[@]}"; do
    eval "${nanobanana_package_probe[$package]}" || printf '%s\n' "$package"
  done
}

# Installs the missing packages, then checks the SDKs; prints one line naming what to do when it cannot.
prerequisites_install() {
  local missing
  mapfile -t missing < <(prerequisites_missing)
  if [ ${#missing[@]} -gt 0 ]; then
    local apt=(apt-get)
    if [ "$(id -u)" -ne 0 ]; then
      if sudo -n true 2>/dev/null; then apt=(sudo apt-get)
      else echo "[prerequisites] missing Debian packages; run: sudo apt-get install -y ${missing[*]}" >&2; return 1; fi
    fi
    echo "[prerequisites] installing: ${missing[*]}"
    "${apt[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "${missing[@]}" >/dev/null \
      || { echo "[prerequisites] apt-get install ${missing[*]} failed" >&2; return 1; }
  fi
  prerequisites_check_sdks
}

prerequisites_check_sdks() {
  if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    echo "[prerequisites] the .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; return 1
  fi
  # Azurite and the web client run on Node; Vite 7 (the client's build and tests) needs 20.19 or later.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "[prerequisites] Node.js 20.19+ with npm is required: https://nodejs.org/en/download (NodeSource's nodejs package brings both)" >&2; return 1
  fi
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "[prerequisites] Node.js 20.19+ is required (found $(node --version))" >&2; return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  if [ "${1:-}" = "--check" ]; then
    mapfile -t missing < <(prerequisites_missing)
    if [ ${#missing[@]} -gt 0 ]; then echo "missing: ${missing[*]} (sudo apt-get install -y ${missing[*]})"; exit 1; fi
    prerequisites_check_sdks && echo "all present"
  else
    prerequisites_install
  fi
fi
