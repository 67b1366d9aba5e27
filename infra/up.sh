#!/usr/bin/env bash
# Installs missing dependencies, then starts the local Kafka broker and PostgreSQL (each a no-op if
# already running). Progress goes to stderr; stdout is only the export lines, so either
#   bash infra/up.sh                 # and copy the exports, or
#   eval "$(bash infra/up.sh)"       # to export KAFKA_BROKERS and DATABASE_URL into this shell
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$SECONDS
{
  "$INFRA_DIR/deps.sh"
  "$INFRA_DIR/kafka.sh" start
  "$INFRA_DIR/postgres.sh" start
  echo "up: stack ready in $((SECONDS - started))s (stop it with: bash infra/down.sh)"
} >&2
bash "$INFRA_DIR/env.sh"
