#!/usr/bin/env bash
# `npm run bench -- <name>`: runs <app>/bench/<name>.ts. Each benchmark starts what it needs and
# prints one JSON object as its last line (bench, metric, value, unit, baseline, ratio).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-}"
mapfile -t available < <(ls apps/*/bench/*.ts packages/*/bench/*.ts 2>/dev/null | xargs -n1 basename 2>/dev/null | sed 's/\.ts$//' | sort -u)
file=$(ls apps/*/bench/"$name".ts packages/*/bench/"$name".ts 2>/dev/null | head -n1 || true)
if [[ -z "$name" ]]; then
  echo "usage: npm run bench -- <name>   (available: ${available[*]:-none})"
  exit 0
fi
if [[ -z "$file" ]]; then
  echo "no benchmark named '$name' (available: ${available[*]:-none})" >&2
  exit 2
fi
shift
exec npx tsx "$file" "$@"
