#!/usr/bin/env bash
# System packages the tests and the indexer need, from Debian, installed only when missing (idempotent, quick when present):
#   postgresql          the indexer's tests run the same suite on SQLite and on a real PostgreSQL (initdb + pg_ctl)
#   chromium, chromium-driver   the dashboard's browser test drives headless Chromium through Selenium
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]} from Debian"
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo -n); else
  echo "setup: ${missing[*]} missing and not root (no sudo): install them with apt-get, then run make again" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's package lists may be empty or stale: refresh them once if the first attempt cannot find a package.
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
}
# The Debian package starts a cluster on 5432 that nothing here uses (the tests start their own): leave it as it is.
echo "setup: installed ${missing[*]}"
