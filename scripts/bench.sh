#!/usr/bin/env bash
# Runs a benchmark in a release build against private servers it starts and
# stops: ./scripts/bench.sh redis | http | webhook [options]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_packages
# wrk drives the webhook benchmark only, so tests do not need it.
if [ "${1:-}" = webhook ] && ! command -v wrk >/dev/null; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk >/dev/null
fi
trap stop_servers EXIT
[ -n "${REDIS_URL:-}" ] || start_redis >/dev/null
swift build -c release --product bench >/dev/null
"$(swift build -c release --show-bin-path)/bench" "$@"
