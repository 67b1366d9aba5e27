#!/usr/bin/env bash
# `npm test`: everything, against real services that this script installs and starts itself.
#   1. static checks (biome lint/format, tsc in every workspace)
#   2. unit tests (pure code + the event-log contract on the in-process log + PGlite)
#   3. integration tests on a real Kafka broker and a real PostgreSQL (infra/)
#   4. browser tests: Playwright in Debian's Chromium against the running product
# It ends with one line "tests: N passed, N failed" summing every runner.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
results=.data/test-results
rm -rf "$results" && mkdir -p "$results"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "services: Kafka, PostgreSQL, Chromium, kcat (installed when missing)"
bash infra/deps.sh
bash infra/kafka.sh start
bash infra/postgres.sh start
# shellcheck source=/dev/null
source infra/env.sh

step "static checks"
npx biome check .
npx turbo run typecheck --output-logs=errors-only

step "unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json"

step "integration tests (Kafka ${KAFKA_BROKERS}, PostgreSQL)"
# kafkajs against the pinned broker: every client feature the apps rely on (ARCHITECTURE.md).
node infra/kafka/verify-kafkajs.mjs
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json"

step "browser tests (Playwright, Chromium)"
npx turbo run build --filter=@fleetstream/web --output-logs=errors-only
(cd e2e && PLAYWRIGHT_JSON_OUTPUT_NAME="../$results/e2e.json" npx playwright test --reporter=list,json)

node scripts/sum-test-results.mjs "$results"
