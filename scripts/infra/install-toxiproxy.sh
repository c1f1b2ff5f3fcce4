#!/usr/bin/env bash
# Builds Toxiproxy (a TCP proxy that injects network faults: latency, resets,
# blackholes) from its Go module source, caching the server and its CLI outside
# the repo. The test profiles put it between the app processes and PostgreSQL,
# Kafka and Temporal (scripts/infra/toxiproxy.ts).
set -euo pipefail

VERSION=2.5.0
DIR="$HOME/.cache/book-rental-sagas/toxiproxy-$VERSION"
SERVER="$DIR/toxiproxy-server"
CLI="$DIR/toxiproxy-cli"

built() { [[ -x "$SERVER" && -x "$CLI" ]] && [[ "$("$SERVER" -version 2>/dev/null)" == *"$VERSION"* ]]; }

if built; then
  echo "toxiproxy: $VERSION already built ($SERVER)"
  exit 0
fi

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
mkdir -p "$DIR"
# One build at a time: several profiles may install concurrently.
exec 9>"$DIR.lock"
flock 9
if built; then
  echo "toxiproxy: $VERSION was built by another process"
  exit 0
fi

echo "toxiproxy: building toxiproxy $VERSION (server and CLI) with 'go install'"
start=$SECONDS
# Both commands build to binaries named after their folders (server, cli): each gets its own GOBIN, then a clear name.
rm -rf "$DIR/server-bin" "$DIR/cli-bin" "$SERVER" "$CLI"
# The version is stamped at release time; without it the binaries report "git".
LDFLAGS="-s -w -X github.com/Shopify/toxiproxy/v2.Version=$VERSION"
GOBIN="$DIR/server-bin" go install -ldflags "$LDFLAGS" "github.com/Shopify/toxiproxy/v2/cmd/server@v$VERSION" 2>&1
GOBIN="$DIR/cli-bin" go install -ldflags "$LDFLAGS" "github.com/Shopify/toxiproxy/v2/cmd/cli@v$VERSION" 2>&1
mv "$DIR/server-bin/server" "$SERVER"
mv "$DIR/cli-bin/cli" "$CLI"
rmdir "$DIR/server-bin" "$DIR/cli-bin"
"$SERVER" -version
echo "toxiproxy: built in $((SECONDS - start))s"
