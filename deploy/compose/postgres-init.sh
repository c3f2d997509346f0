#!/bin/bash
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d): one
# database and one owner per service, so no service can read another's tables. Each password is
# the service name plus EMPORIUM_DB_PASSWORD_SUFFIX: development and compose only; production
# databases are managed outside (deploy/k8s/overlays/prod).
# The same file is deploy/k8s/overlays/dev/postgres-init.sh (a test keeps them identical).
set -euo pipefail
for name in ${EMPORIUM_DATABASES:-catalog cart orders payments notifications shipping reporting webhooks}; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE "$name" LOGIN PASSWORD '${name}${EMPORIUM_DB_PASSWORD_SUFFIX:-}';
CREATE DATABASE "$name" OWNER "$name";
REVOKE ALL ON DATABASE "$name" FROM PUBLIC;
SQL
done
