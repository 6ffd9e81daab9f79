#!/usr/bin/env bash
# Runs bot-gateway on this machine with everything it needs started privately.
# For now (until `bot-gateway sandbox` exists) this is a temporary smoke check
# of the Redis and HTTP clients against a local redis-server and HTTP server.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_packages
trap stop_servers EXIT
[ -n "${REDIS_URL:-}" ] || start_redis
swift build -c release --product bot-gateway
"$(swift build -c release --show-bin-path)/bot-gateway" smoke "$@"
