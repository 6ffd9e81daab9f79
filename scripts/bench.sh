#!/usr/bin/env bash
# Runs a benchmark in a release build against private servers it starts and
# stops: ./scripts/bench.sh redis | http [options]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_packages
trap stop_servers EXIT
[ -n "${REDIS_URL:-}" ] || start_redis >/dev/null
swift build -c release --product bench >/dev/null
"$(swift build -c release --show-bin-path)/bench" "$@"
