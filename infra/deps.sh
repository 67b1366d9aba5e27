#!/usr/bin/env bash
# Installs what the local stack and the tests need, skipping what is already there:
#   - Debian packages postgresql (server), chromium (/usr/bin/chromium, for Playwright), kcat
#     in ONE apt-get call, with `apt-get update` first only when something is missing;
#   - the Kafka broker jars (infra/kafka.sh install, from Maven Central).
# Idempotent and fast when everything is present. Must run as root to install packages.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$SECONDS

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# fonts-liberation is only a Recommends of chromium; without it pages render with fallback fonts.
[[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-liberation)
command -v kcat >/dev/null || missing+=(kcat)

if ((${#missing[@]})); then
  [[ "$(id -u)" == 0 ]] || {
    echo "deps: error: missing ${missing[*]} and not root: apt-get install -y ${missing[*]}" >&2
    exit 1
  }
  echo "deps: installing ${missing[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-q -o DPkg::Lock::Timeout=300)
  apt-get "${apt_opts[@]}" update >/dev/null
  apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >/tmp/fleetstream-deps-apt.log 2>&1 || {
    tail -n 20 /tmp/fleetstream-deps-apt.log >&2
    echo "deps: error: apt-get install ${missing[*]} failed (full log: /tmp/fleetstream-deps-apt.log)" >&2
    exit 1
  }
fi

"$INFRA_DIR/kafka.sh" install
echo "deps: ok in $((SECONDS - started))s (postgresql, chromium, kcat, kafka jars)"
