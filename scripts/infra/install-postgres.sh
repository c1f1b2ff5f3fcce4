#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server binaries when they are missing.
# The project never uses the stock cluster; postgres.ts runs its own data dir.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
if [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/initdb" ]]; then
  echo "postgres: PostgreSQL 15 already installed ($PG_BIN)"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "postgres: $PG_BIN/postgres is missing and installing it needs root (apt-get install postgresql-15)" >&2
  exit 1
fi

echo "postgres: installing PostgreSQL 15 with apt-get (takes a minute)"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# postgresql-15 rather than the 'postgresql' metapackage: postgres.ts hardcodes the 15 binary path.
apt-get install -y --no-install-recommends postgresql-15
echo "postgres: installed"
