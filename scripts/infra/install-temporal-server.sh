#!/usr/bin/env bash
# The cluster profile's Temporal: the real server (not the dev server), its SQL
# schema tool and the schema files from the same module, and the standalone web
# UI, built with `go install` and cached outside the repo.
set -euo pipefail

SERVER_VERSION=1.29.1
UI_VERSION=2.42.1
CACHE="$HOME/.cache/book-rental-sagas"
DIR="$CACHE/temporal-server-$SERVER_VERSION"
UI_DIR="$CACHE/temporal-ui-$UI_VERSION"

# The temporal CLI (install-temporal.sh) registers the namespace and its search attributes.
bash "$(dirname "$0")/install-temporal.sh"

complete() { [[ -x "$DIR/server" && -x "$DIR/sql" && -f "$DIR/schema/.complete" && -x "$UI_DIR/server" ]]; }
if complete; then
  echo "temporal-server: server $SERVER_VERSION, SQL tool and UI $UI_VERSION already built"
  exit 0
fi

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
mkdir -p "$DIR" "$UI_DIR"
exec 9>"$DIR.lock"
flock 9
if complete; then
  echo "temporal-server: built by another process"
  exit 0
fi

start=$SECONDS
# Both binaries of the server module are named after their folder: server and sql.
if [[ ! -x "$DIR/server" ]]; then
  echo "temporal-server: building go.temporal.io/server/cmd/server@v$SERVER_VERSION (several minutes on a cold Go cache)"
  GOBIN="$DIR" go install "go.temporal.io/server/cmd/server@v$SERVER_VERSION"
fi
if [[ ! -x "$DIR/sql" ]]; then
  echo "temporal-server: building the SQL schema tool (cmd/tools/sql)"
  GOBIN="$DIR" go install "go.temporal.io/server/cmd/tools/sql@v$SERVER_VERSION"
fi
if [[ ! -f "$DIR/schema/.complete" ]]; then
  # The PostgreSQL schema ships in the module: copy it out of the (read-only) module cache.
  MODULE="$(go env GOMODCACHE)/go.temporal.io/server@v$SERVER_VERSION"
  [[ -d "$MODULE/schema/postgresql/v12" ]] || go mod download "go.temporal.io/server@v$SERVER_VERSION"
  rm -rf "$DIR/schema"
  mkdir -p "$DIR/schema"
  cp -r "$MODULE/schema/postgresql/v12/temporal" "$MODULE/schema/postgresql/v12/visibility" "$DIR/schema/"
  cp "$MODULE/config/development-postgres12.yaml" "$DIR/schema/config-template.yaml"
  chmod -R u+w "$DIR/schema"
  touch "$DIR/schema/.complete"
fi
if [[ ! -x "$UI_DIR/server" ]]; then
  echo "temporal-server: building the web UI github.com/temporalio/ui-server/v2/cmd/server@v$UI_VERSION"
  GOBIN="$UI_DIR" go install "github.com/temporalio/ui-server/v2/cmd/server@v$UI_VERSION"
fi
echo "temporal-server: built in $((SECONDS - start))s"
