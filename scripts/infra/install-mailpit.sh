#!/usr/bin/env bash
# Builds Mailpit (SMTP server with a web UI and a JSON API, the project's mail
# server) from its Go module source, caching the binary outside the repo.
#
# `go install github.com/axllent/mailpit@v1.33.1` alone gives a server without its
# web UI: the UI is a Vue app bundled by esbuild at release time and is not in the
# module. So: the module source comes from the Go proxy (`go mod download`), the
# UI's build tools from npm, esbuild bundles the UI into server/ui/dist, and
# `go build` embeds it. Mailpit's own lock file names versions the npm registry
# here does not carry, so the build tools are resolved from its package.json
# ranges, and Mailpit's API-docs page (rapidoc) is left out; the mail UI is whole.
set -euo pipefail

VERSION=1.33.1
DIR="$HOME/.cache/book-rental-sagas/mailpit-$VERSION"
BIN="$DIR/mailpit"
DONE="$DIR/.built-with-ui"

if [[ -x "$BIN" && -f "$DONE" ]] && "$BIN" version --no-release-check >/dev/null 2>&1; then
  echo "mailpit: $VERSION already built ($BIN)"
  exit 0
fi

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
mkdir -p "$DIR"
# One build at a time: the dev and test profiles may install concurrently.
exec 9>"$DIR.lock"
flock 9
if [[ -x "$BIN" && -f "$DONE" ]] && "$BIN" version --no-release-check >/dev/null 2>&1; then
  echo "mailpit: $VERSION was built by another process"
  exit 0
fi

start=$SECONDS
echo "mailpit: fetching the module source of github.com/axllent/mailpit v$VERSION"
MODULE_DIR=$(cd "$DIR" && go mod download -json "github.com/axllent/mailpit@v$VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')
SRC="$DIR/src"
rm -rf "$SRC" "$BIN" "$DONE"
cp -r "$MODULE_DIR" "$SRC"
chmod -R u+w "$SRC"
cd "$SRC"

echo "mailpit: installing the web UI's build tools (npm) and bundling the UI (esbuild)"
rm -f package-lock.json
node -e '
const fs = require("fs");
const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
delete pkg.dependencies.rapidoc; // the API-docs page only
const keep = ["esbuild", "esbuild-plugin-vue-next", "esbuild-sass-plugin", "@vue/compiler-sfc"];
for (const name of Object.keys(pkg.devDependencies)) if (!keep.includes(name)) delete pkg.devDependencies[name];
delete pkg.overrides;
fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));'
npm install --ignore-scripts --no-audit --no-fund --loglevel=error
cat > build-ui.mjs <<'JS'
// Mailpit's esbuild.config.mjs, for the mail UI only (app.js).
import * as esbuild from 'esbuild';
import pluginVue from 'esbuild-plugin-vue-next';
import { sassPlugin } from 'esbuild-sass-plugin';
await esbuild.build({
  entryPoints: ['server/ui-src/app.js'],
  bundle: true,
  minify: true,
  define: { __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  outdir: 'server/ui/dist/',
  plugins: [pluginVue(), sassPlugin({ silenceDeprecations: ['import'], quietDeps: true })],
  loader: { '.svg': 'file', '.woff': 'file', '.woff2': 'file' },
});
JS
node build-ui.mjs

echo "mailpit: building the server with the UI embedded (go build)"
go build -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=v$VERSION" -o "$BIN" .
cd "$DIR"
rm -rf "$SRC"
"$BIN" version --no-release-check
touch "$DONE"
echo "mailpit: built in $((SECONDS - start))s"
