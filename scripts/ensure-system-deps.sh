#!/usr/bin/env bash
# Installs the system packages the test suite needs when missing: PostgreSQL 15 server binaries
# (the postgres-marked tests) and Debian's chromium (the browser tests in tests/browser, driven by
# Playwright; we never download a browser of Playwright's own), the libraries WeasyPrint loads for the
# PDF exports (Pango with its FreeType backend, HarfBuzz's subsetter, fontconfig; DejaVu as the fallback
# font) and poppler-utils (pdftotext reads the PDFs back in the tests). Idempotent: does nothing when
# they are already there, runs apt-get update at most once. Needs root (or sudo) to install.
set -euo pipefail
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_chromium() { [ -x /usr/bin/chromium ]; }
have_lib() { ldconfig -p 2>/dev/null | grep -F "$1" >/dev/null; }
missing=()
have_pg || missing+=(postgresql)
have_chromium || missing+=(chromium)
have_lib 'libpango-1.0.so.0 ' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0 ' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so.0 ' || missing+=(libharfbuzz-subset0)
have_lib 'libfontconfig.so.1 ' || missing+=(fontconfig)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
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
have_lib 'libpango-1.0.so.0 ' && echo "WeasyPrint's libraries present."
command -v pdftotext >/dev/null 2>&1 && echo "pdftotext present."
