#!/usr/bin/env bash
# The test command: installs missing system packages, starts private
# redis-server and PostgreSQL instances (unless REDIS_URL / DATABASE_URL
# already point at servers), runs `swift test`, and stops what it started,
# also on failure. Extra arguments go to `swift test` (e.g. --filter Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

# A real browser for the sandbox's chat page (SandboxPageTests): Debian's chromium and its
# driver, driven by Selenium from PyPI; nothing is downloaded when the tests run. systemd's
# systemd-analyze and prometheus's promtool check deploy/ (DeploymentFilesTests).
ensure_packages chromium chromium-driver systemd prometheus
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check "selenium>=4.20,<5"
export SANDBOX_BROWSER_PYTHON="${SANDBOX_BROWSER_PYTHON:-$(command -v python3)}"
# schemathesis (PyPI) checks the operator API against its OpenAPI document (OperatorAPISchemaTests).
command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check "schemathesis>=4,<5"
export SCHEMATHESIS_BIN="${SCHEMATHESIS_BIN:-$(command -v schemathesis)}"
trap stop_servers EXIT
[ -n "${REDIS_URL:-}" ] || start_redis
[ -n "${DATABASE_URL:-}" ] || start_postgres
export REDIS_SERVER_BIN="${REDIS_SERVER_BIN:-$(command -v redis-server)}"

# Serial: the suite mixes load tests (10,000 updates through Redis, 2,000
# Bot API sends) with tests that assert latency or rate-limit timing, and on
# a 2-core machine running both at once starves the latter. Serial, the whole
# suite takes about 15 minutes, most of it in scenario tests whose length is
# their subject (a 2,000-recipient broadcast, kill -9 every 5 s for 40 s).
swift test --no-parallel "$@"
