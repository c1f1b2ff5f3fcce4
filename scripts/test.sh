#!/usr/bin/env bash
# Command 2 (`npm test`): installs what is missing and runs the whole suite
# against real servers (started by test/support/global-setup.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# chromium for the browser tests, jq for the README walkthrough the suite runs.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian's ${missing[*]} for the browser and README tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npx tsc -p .
# Biome's linter (biome.jsonc); a warning fails the run too.
npm run lint --silent
if [ $# -gt 0 ]; then exec npx vitest run "$@"; fi
# Known high or critical vulnerabilities in production dependencies fail the run (says so when it cannot check).
node --import tsx scripts/audit-dependencies.ts
npx vitest run
# The tracing suite runs api, worker, relay and consumers inside its own test
# process, so it needs the servers with no app process polling them: a second
# run of the same profile's servers, without the processes.
TEST_PROCESSES=0 npx vitest run --project suite test/observability
# The cluster pass (`npm run test:cluster`, scripts/test-cluster.sh) is not part of
# `npm test` for now: from fresh data directories its consumers processes exit at
# start-up on topic-creation errors (README "The cluster profile").
