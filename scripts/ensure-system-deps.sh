#!/usr/bin/env bash
# Installs the system packages the test suite needs when missing: PostgreSQL 15 server binaries
# (the postgres-marked tests) and Debian's chromium (the browser tests in tests/browser, driven by
# Playwright; we never download a browser of Playwright's own). Idempotent: does nothing when they
# are already there, runs apt-get update at most once. Needs root (or sudo) to install.
set -euo pipefail
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_chromium() { [ -x /usr/bin/chromium ]; }
missing=()
have_pg || missing+=(postgresql)
have_chromium || missing+=(chromium)
if [ "${#missing[@]}" = "0" ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing system packages (${missing[*]}) and not root: their tests will be skipped." >&2; exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
have_pg && echo "PostgreSQL server binaries present."
have_chromium && echo "Chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)."
