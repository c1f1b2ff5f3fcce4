#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is new (the image's /docker-entrypoint-initdb.d):
# the app's role and database, and Temporal's role, which creates its own two databases.
# The app's role owns the schema and makes the per-service roles (CREATEROLE; the migrate job, scripts/db/roles.ts).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_pw="$APP_DB_PASSWORD" -v temporal_pw="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE bookrental LOGIN CREATEROLE PASSWORD :'app_pw';
CREATE DATABASE bookrental OWNER bookrental;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_pw';
SQL
