#!/bin/sh
# Runs in temporalio/admin-tools before the Temporal server starts: its two databases and their
# schema with the server's own SQL tool (update-schema is idempotent, so this runs on every `up`).
set -eu
SQL="temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u temporal --pw $TEMPORAL_DB_PASSWORD"
for db in temporal temporal_visibility; do
  $SQL --db "$db" create-database 2>/dev/null || true
done
$SQL --db temporal setup-schema -v 0.0 2>/dev/null || true
$SQL --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
$SQL --db temporal_visibility setup-schema -v 0.0 2>/dev/null || true
$SQL --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
