#!/usr/bin/env bash
# Runs the sandbox: the release bot-gateway with in-memory storage and the
# emulator's fake Telegram and services in-process, so a person can chat with
# the UK bot in this terminal. Needs nothing running; installs the system
# libraries if missing. Extra arguments go to `bot-gateway sandbox`
# (e.g. --language ru --role executor).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_packages
swift build -c release --product bot-gateway
exec "$(swift build -c release --show-bin-path)/bot-gateway" sandbox "$@"
