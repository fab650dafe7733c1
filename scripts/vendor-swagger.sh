#!/bin/sh
# Re-fetch the Swagger UI files that /api/docs serves locally (the servers have no internet, so no CDN).
# Usage: scripts/vendor-swagger.sh [VERSION]   (run from anywhere; needs npm and network access once)
# Copies only what the docs page loads, plus the licence, into api/static/swagger/; commit the result.
set -eu

VERSION="${1:-5.35.0}"  # pinned: bump deliberately, then check /api/docs and commit the new files
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/api/static/swagger"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null
tar -xzf "swagger-ui-dist-$VERSION.tgz"
mkdir -p "$TARGET"
for file in swagger-ui-bundle.js swagger-ui.css LICENSE; do
    cp "package/$file" "$TARGET/$file"
done
[ -f package/NOTICE ] && cp package/NOTICE "$TARGET/NOTICE"
echo "$VERSION" > "$TARGET/VERSION"
echo "Swagger UI $VERSION vendored into $TARGET"
