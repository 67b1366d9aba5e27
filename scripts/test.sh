#!/usr/bin/env bash
# `npm test`: everything, against real services that this script installs and starts itself.
#   1. static checks (biome lint/format, tsc in every workspace)
#   2. unit tests (pure code + the event-log contract on the in-process log + PGlite)
#   3. integration tests on a real Kafka broker and a real PostgreSQL (infra/)
#   4. browser tests: Playwright in Debian's Chromium against the running product
# It ends with one line "tests: N passed, N failed" summing every runner; a failing step does
# not stop the later ones, and the exit status is non-zero if any step failed.
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

# From here on a failing step does not stop the others: every runner reports, then the summary.
failed=()
run() {
  local name=$1
  shift
  "$@" || failed+=("$name")
}

step "static checks"
run lint npx biome check .
run typecheck npx turbo run typecheck --output-logs=errors-only

step "unit tests"
run unit npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json"

step "web build (the integration tests start the web app as its own process, as the browser tests do)"
web_built=true
npx turbo run build --filter=@fleetstream/web --output-logs=errors-only || { web_built=false; failed+=(web-build); }

step "integration tests (Kafka ${KAFKA_BROKERS}, PostgreSQL)"
# kafkajs against the pinned broker: every client feature the apps rely on (ARCHITECTURE.md).
run kafkajs-compat node infra/kafka/verify-kafkajs.mjs
run integration npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json"

step "browser tests (Playwright, Chromium)"
# On empty Kafka and PostgreSQL, as `npm run stack` starts on a fresh machine: the integration
# suites leave thousands of trucks and fences on the shared topics, which the stack's dashboard
# would otherwise load (the map at that scale is another matter: the live-map issue).
bash infra/down.sh --wipe && bash infra/kafka.sh start && bash infra/postgres.sh start || failed+=(services)
if $web_built; then
  (cd e2e && PLAYWRIGHT_JSON_OUTPUT_NAME="../$results/e2e.json" npx playwright test --reporter=list,json) || failed+=(e2e)
fi

if ((${#failed[@]})); then printf '\nfailed steps: %s\n' "${failed[*]}" >&2; fi
node scripts/sum-test-results.mjs "$results" || failed+=(summary)
((${#failed[@]} == 0))
