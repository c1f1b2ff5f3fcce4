#!/usr/bin/env bash
# Builds the Temporal CLI (dev server with SQLite and web UI) from source with Go,
# caching the binary outside the repo so fresh clones reuse it.
set -euo pipefail

VERSION=1.5.1 # newer releases have a go.mod 'replace' directive, which breaks `go install`
DIR="$HOME/.cache/book-rental-sagas/temporal-$VERSION"
BIN="$DIR/temporal"

if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
  echo "temporal: CLI $VERSION already built ($BIN)"
  exit 0
fi

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
mkdir -p "$DIR"
# One build at a time: the dev and test profiles may install concurrently.
exec 9>"$DIR.lock"
flock 9
if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
  echo "temporal: CLI $VERSION was built by another process"
  exit 0
fi

echo "temporal: building temporal CLI $VERSION with 'go install' (takes several minutes on a cold Go cache)"
start=$SECONDS
rm -f "$BIN"
GOBIN="$DIR" go install -v "github.com/temporalio/cli/cmd/temporal@v$VERSION" 2>&1
"$BIN" --version
echo "temporal: built in $((SECONDS - start))s"
