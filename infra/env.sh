# shellcheck shell=bash
# Connection settings for the local stack started by infra/up.sh.
#   source infra/env.sh            # exports KAFKA_BROKERS and DATABASE_URL into this shell
#   bash infra/env.sh              # prints the export lines
# Follows the same port overrides as the scripts: KAFKA_PORT (9092), PGPORT (5433).
export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
export DATABASE_URL="postgresql://postgres@127.0.0.1:${PGPORT:-5433}/${PG_DATABASE:-fleetstream}"
if ! (return 0 2>/dev/null); then
  echo "export KAFKA_BROKERS=$KAFKA_BROKERS"
  echo "export DATABASE_URL=$DATABASE_URL"
fi
