#!/usr/bin/env bash
# Installs the system packages the test suite needs (PostgreSQL 15 server binaries) when missing.
# Idempotent; does nothing when they are already there. Needs root (or sudo) to install.
set -euo pipefail
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
if have_pg; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "PostgreSQL server binaries missing and not root: PostgreSQL tests will be skipped." >&2; exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql >/dev/null
have_pg && echo "PostgreSQL server binaries installed."
