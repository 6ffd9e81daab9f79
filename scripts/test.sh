#!/usr/bin/env bash
# The test command: installs missing system packages, starts private
# redis-server and PostgreSQL instances (unless REDIS_URL / DATABASE_URL
# already point at servers), runs `swift test`, and stops what it started,
# also on failure. Extra arguments go to `swift test` (e.g. --filter Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_packages
trap stop_servers EXIT
[ -n "${REDIS_URL:-}" ] || start_redis
[ -n "${DATABASE_URL:-}" ] || start_postgres
export REDIS_SERVER_BIN="${REDIS_SERVER_BIN:-$(command -v redis-server)}"

swift test "$@"
