#!/usr/bin/env bash
# The cluster pass: the same processes on the cluster profile (three Kafka
# brokers with RF 3 / min ISR 2, the Temporal server on PostgreSQL, every app
# process doubled), with the suites that prove the topology's settings, signup
# across the doubled processes, and the crashes (README "The cluster profile").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npx tsc -p .
CLUSTER_SUITES=(test/e2e/cluster.e2e.test.ts test/e2e/kafka-topics.e2e.test.ts test/e2e/startup-checks.e2e.test.ts
  test/e2e/signup.e2e.test.ts test/faults/cluster-broker-kill.test.ts test/faults/cluster-crashes.test.ts)
TEST_PROFILE=cluster npx vitest run "${CLUSTER_SUITES[@]}"
