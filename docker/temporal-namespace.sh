#!/bin/sh
# Runs in temporalio/admin-tools once the server answers: the namespace and the search attributes
# the sagas set (workflows/contracts.ts); the app processes refuse to start without them.
set -eu
until temporal operator cluster health --address temporal:7233 >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe --namespace default --address temporal:7233 >/dev/null 2>&1 ||
  temporal operator namespace create --namespace default --retention 72h --address temporal:7233
for name in MemberId BookNo SagaStatus SagaType SagaSummary; do
  temporal operator search-attribute list --namespace default --address temporal:7233 | grep -qw "$name" ||
    temporal operator search-attribute create --namespace default --name "$name" --type Keyword --address temporal:7233
done
