#!/usr/bin/env bash
# Rebuild the vendored code editor (CodeMirror 6) from npm with the exact versions pinned in
# editor/package.json + editor/package-lock.json, into one minified file in static/vendor/.
# Needs node + npm (network access to the npm registry); the output is committed, so running the
# platform never needs node.
set -euo pipefail
cd "$(dirname "$0")/../editor"
npm ci --no-audit --no-fund
version=$(node -p 'JSON.parse(require("fs").readFileSync("node_modules/@codemirror/view/package.json")).version')
out="../static/vendor/codemirror-${version}.min.js"
rm -f ../static/vendor/codemirror-*.min.js
./node_modules/.bin/esbuild src/editor.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --outfile="$out"
# One licence file for the bundle: CodeMirror's (MIT) plus the Lezer parser's (MIT).
{ cat node_modules/@codemirror/view/LICENSE; echo; echo "--- @lezer/* ---"; cat node_modules/@lezer/python/LICENSE; } \
  > ../static/vendor/codemirror-LICENSE.txt
echo "built $out ($(wc -c < "$out") bytes); update the <script> tag in templates/partials/editor_assets.html if the version changed"
