#!/usr/bin/env bash
# Command 1 (`npm start`): installs what is missing, starts PostgreSQL, Temporal
# and Kafka, applies migrations, then runs api, worker, relay and consumers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node --import tsx scripts/dev.ts "$@"
