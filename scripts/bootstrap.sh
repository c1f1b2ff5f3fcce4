#!/usr/bin/env bash
# Installs what the project needs on a fresh machine (idempotent, quick when done):
# npm dependencies and the generated Prisma client. The servers (PostgreSQL,
# Temporal, Kafka) are installed by scripts/infra/ when they are first started.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm dependencies"
  # Not `npm ci`: npm 11 leaves other platforms' optional packages (@swc/core-*) out
  # of the lock file and then `npm ci` refuses it. This installs the locked versions
  # and leaves package-lock.json untouched.
  npm install --no-save --no-audit --no-fund
fi
if [ ! -f services/generated/prisma/client.ts ] || [ -n "$(find prisma/schema -newer services/generated/prisma/client.ts)" ]; then
  echo "==> generating the Prisma client"
  bash scripts/db/generate.sh
fi
