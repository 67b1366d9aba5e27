#!/usr/bin/env bash
# Stops the local Kafka broker and PostgreSQL started by infra/up.sh. Data is kept unless --wipe,
# which also deletes .data/kafka and .data/postgres (topics, offsets, database).
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$INFRA_DIR/.." && pwd)"
status=0
"$INFRA_DIR/kafka.sh" stop || status=$?
"$INFRA_DIR/postgres.sh" stop || status=$?
if [[ "${1:-}" == "--wipe" ]]; then
  rm -rf "${KAFKA_DATA_DIR:-$ROOT_DIR/.data/kafka}" "${PG_DATA_DIR:-$ROOT_DIR/.data/postgres}"
  echo "down: wiped Kafka and PostgreSQL data"
fi
exit "$status"
