#!/usr/bin/env bash
# Builds Mailpit (SMTP server with a web UI and a JSON API, used as the project's
# mail server) from source with Go, caching the binary outside the repo.
set -euo pipefail

VERSION=1.33.1
DIR="$HOME/.cache/book-rental-sagas/mailpit-$VERSION"
BIN="$DIR/mailpit"

if [[ -x "$BIN" ]] && "$BIN" version --no-release-check >/dev/null 2>&1; then
  echo "mailpit: $VERSION already built ($BIN)"
  exit 0
fi

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
mkdir -p "$DIR"
# One build at a time: the dev and test profiles may install concurrently.
exec 9>"$DIR.lock"
flock 9
if [[ -x "$BIN" ]] && "$BIN" version --no-release-check >/dev/null 2>&1; then
  echo "mailpit: $VERSION was built by another process"
  exit 0
fi

echo "mailpit: building mailpit $VERSION with 'go install' (a few minutes on a cold Go cache)"
start=$SECONDS
rm -f "$BIN"
GOBIN="$DIR" go install -v "github.com/axllent/mailpit@v$VERSION" 2>&1
"$BIN" version --no-release-check
echo "mailpit: built in $((SECONDS - start))s"
