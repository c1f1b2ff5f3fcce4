#!/usr/bin/env bash
# Generates the Prisma client. The client runs on @prisma/adapter-pg and needs no
# native engine; pointing the engine variables at an existing file stops the CLI
# from trying to download one (unreachable here).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PRISMA_SCHEMA_ENGINE_BINARY="$PWD/package.json" PRISMA_QUERY_ENGINE_LIBRARY="$PWD/package.json"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
npx prisma generate >/dev/null
echo "prisma client generated in services/generated/prisma"
