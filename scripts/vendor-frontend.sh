#!/bin/sh
# Re-build the front-end files the web pages load locally (the servers have no internet, so no CDN):
# GOV.UK Frontend's CSS compiled for Open Sans (no GDS Transport font, no crown / GDS images) and the
# Open Sans woff2 files for the latin and latin-ext subsets (latin-ext carries Polish ą ć ę ł ń ó ś ź ż).
# Usage: scripts/vendor-frontend.sh   (run from anywhere; needs node, npm and network access once)
# Writes api/static/frontend/ (CSS, fonts, licences, README.md); commit the result.
# GOV.UK Frontend's JavaScript is deliberately not vendored: every form works without JS.
set -eu

GOVUK_FRONTEND_VERSION="5.14.0"  # pinned: bump deliberately, check the pages, commit the new files
SASS_VERSION="1.108.2"           # dart-sass, pure JS
OPEN_SANS_VERSION="5.3.0"        # @fontsource/open-sans
ASSETS_URL="/static/frontend/"   # where the web app serves api/static/frontend/

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/api/static/frontend"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
cat > package.json <<'EOF'
{ "name": "splot-vendor-frontend", "private": true }
EOF
npm install --silent --no-audit --no-fund --save-exact \
    "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" "@fontsource/open-sans@$OPEN_SANS_VERSION"

# GOV.UK Frontend's settings: Open Sans instead of GDS Transport, no default @font-face, assets under
# $ASSETS_URL. Images go through a function that drops the crown (the footer's copyright logo, which
# the pages must not use) and fails the build on any other image, so a new one is noticed here.
cat > splot.scss <<EOF
\$govuk-font-family: "Open Sans", arial, sans-serif;
\$govuk-include-default-font-face: false;
\$govuk-assets-path: "$ASSETS_URL";

@function splot-image-url(\$filename) {
  @if \$filename == "govuk-crest.svg" {
    @return none;
  }
  @error "GOV.UK Frontend wants image #{\$filename}: vendor it deliberately or drop it";
}

@function splot-font-url(\$filename) {
  @error "GOV.UK Frontend wants font #{\$filename}: only Open Sans (open-sans.css) is vendored";
}

\$govuk-image-url-function: "splot-image-url";
\$govuk-font-url-function: "splot-font-url";

@import "govuk-frontend/dist/govuk/index";

// The crown is not ours to show: the copyright logo draws nothing.
.govuk-footer__copyright-logo::before {
  display: none;
}
EOF

mkdir -p "$TARGET"
rm -rf "$TARGET/fonts" "$TARGET/licences"
mkdir -p "$TARGET/fonts" "$TARGET/licences"

./node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
    --quiet-deps --silence-deprecation=import --silence-deprecation=global-builtin \
    splot.scss "$TARGET/govuk-frontend.min.css"

# Open Sans: woff2 only, latin and latin-ext, 400 and 700 normal plus 400 italic. The unicode-range of
# each @font-face is taken from the package's own CSS so the browser fetches only the subset it needs.
FONTSOURCE="node_modules/@fontsource/open-sans"
{
    echo "/* Open Sans $OPEN_SANS_VERSION (@fontsource/open-sans), SIL Open Font License 1.1: licences/OFL-open-sans.txt."
    echo "   latin and latin-ext subsets only (Polish needs latin-ext); built by scripts/vendor-frontend.sh. */"
    for face in 400-normal 700-normal 400-italic; do
        weight="${face%-*}"
        style="${face#*-}"
        if [ "$style" = normal ]; then css="$FONTSOURCE/$weight.css"; else css="$FONTSOURCE/$weight-italic.css"; fi
        for subset in latin latin-ext; do
            file="open-sans-$subset-$face.woff2"
            cp "$FONTSOURCE/files/$file" "$TARGET/fonts/$file"
            range="$(awk -v marker="/* open-sans-$subset-$face */" '
                $0 == marker { found = 1; next }
                found && /unicode-range:/ { sub(/^ *unicode-range: */, ""); sub(/;$/, ""); print; exit }
            ' "$css")"
            [ -n "$range" ] || { echo "no unicode-range for $subset $face in $css" >&2; exit 1; }
            printf '@font-face{font-family:"Open Sans";font-style:%s;font-weight:%s;font-display:swap;src:url(fonts/%s) format("woff2");unicode-range:%s}\n' \
                "$style" "$weight" "$file" "$range"
        done
    done
} > "$TARGET/open-sans.css"

# The govuk-frontend npm package declares "license": "MIT" but ships no LICENSE file; if it still has
# none, write the MIT licence with the copyright line of its repository's LICENSE.txt
# (github.com/alphagov/govuk-frontend), after checking the package still says MIT.
if ls node_modules/govuk-frontend/LICENSE* >/dev/null 2>&1; then
    cat node_modules/govuk-frontend/LICENSE* > "$TARGET/licences/LICENSE-govuk-frontend.txt"
else
    node -e 'process.exit(require("govuk-frontend/package.json").license === "MIT" ? 0 : 1)' \
        || { echo "govuk-frontend is no longer MIT-licensed: check before vendoring" >&2; exit 1; }
    cat > "$TARGET/licences/LICENSE-govuk-frontend.txt" <<'LICENCE'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE
fi
cp "$FONTSOURCE/LICENSE" "$TARGET/licences/OFL-open-sans.txt"

# Every url() in the vendored CSS must be a data: URI or a file vendored here (relative to the CSS
# file, or under $ASSETS_URL); nothing may point off the machine.
for css in "$TARGET/govuk-frontend.min.css" "$TARGET/open-sans.css"; do
    grep -o 'url([^)]*)' "$css" | sed -e 's/^url(//' -e 's/)$//' -e "s/^[\"']//" -e "s/[\"']\$//" | while read -r url; do
        case "$url" in
            data:*) ;;
            "$ASSETS_URL"*) [ -f "$TARGET/${url#"$ASSETS_URL"}" ] || { echo "$css: missing $url" >&2; exit 1; } ;;
            *://*|//*) echo "$css: off-machine url $url" >&2; exit 1 ;;
            *) [ -f "$TARGET/$url" ] || { echo "$css: missing $url" >&2; exit 1; } ;;
        esac
    done
done
if grep -q 'GDS Transport' "$TARGET/govuk-frontend.min.css"; then
    echo "GDS Transport is still referenced in govuk-frontend.min.css" >&2
    exit 1
fi

cat > "$TARGET/README.md" <<EOF
# Vendored front-end files for the web pages

The servers have no internet, so the pages load everything from here (no CDN). Served at
\`$ASSETS_URL\`. Do not edit these files by hand: re-run \`scripts/vendor-frontend.sh\` (needs node,
npm and network access once) and commit its output.

| File | What | From |
|---|---|---|
| \`govuk-frontend.min.css\` | GOV.UK Frontend's styles, compiled and minified | \`govuk-frontend@$GOVUK_FRONTEND_VERSION\` (compiled with \`sass@$SASS_VERSION\`) |
| \`open-sans.css\` | \`@font-face\` rules: Open Sans 400, 700 and 400 italic, \`font-display: swap\` | \`@fontsource/open-sans@$OPEN_SANS_VERSION\` |
| \`fonts/*.woff2\` | the font files, \`latin\` and \`latin-ext\` subsets only (Polish ą ć ę ł ń ó ś ź ż are in latin-ext) | \`@fontsource/open-sans@$OPEN_SANS_VERSION\` |
| \`licences/\` | \`LICENSE-govuk-frontend.txt\` (MIT; the npm package ships none, so the script writes the one of github.com/alphagov/govuk-frontend), \`OFL-open-sans.txt\` (SIL Open Font License 1.1) | the packages |

How the CSS is built: GOV.UK Frontend's Sass with \`\$govuk-font-family: "Open Sans", arial, sans-serif\`,
\`\$govuk-include-default-font-face: false\` and \`\$govuk-assets-path: "$ASSETS_URL"\`. The GDS Transport
font is not used or shipped (it is licensed for GOV.UK only); no GDS image is referenced: the crown
(footer copyright logo) is dropped, do not use \`govuk-footer__copyright-logo\`, and the header's crown is
an inline SVG in GOV.UK's templates that Splot's own templates leave out. The build fails if GOV.UK
Frontend asks for any other image or font, and if any \`url()\` in the CSS points at a file that is not
here. Pages link \`open-sans.css\` and \`govuk-frontend.min.css\`. Sass (MIT) is only the compiler: none of
its code ships, so its licence is not copied here.

GOV.UK Frontend's JavaScript is deliberately not vendored: every form works without JavaScript.
\`tests/unit/test_frontend_assets.py\` checks the \`url()\` targets, the absence of GDS Transport and the
presence of the latin-ext subset.
EOF

echo "GOV.UK Frontend $GOVUK_FRONTEND_VERSION (sass $SASS_VERSION) and Open Sans $OPEN_SANS_VERSION vendored into $TARGET"
