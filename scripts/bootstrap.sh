#!/usr/bin/env bash
# Installs what the project needs on a fresh machine (idempotent, quick when done):
# npm dependencies and the generated Prisma client. The servers (PostgreSQL,
# Temporal, Kafka) are installed by scripts/infra/ when they are first started.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm dependencies"
  npm ci --no-audit --no-fund
fi
if [ ! -f services/generated/prisma/client.ts ] || [ -n "$(find prisma/schema -newer services/generated/prisma/client.ts)" ]; then
  echo "==> generating the Prisma client"
  bash scripts/db/generate.sh
fi
