#!/usr/bin/env bash
# Runs a benchmark in a release build against private servers it starts and
# stops: ./scripts/bench.sh redis | http | webhook | flow [options]
#
#   ./scripts/bench.sh flow                                   # 200 users, webhook over http
#   ./scripts/bench.sh flow --tls | --polling | --users 50 --seconds 20
#   ./scripts/bench.sh flow --markdown docs/performance.md    # refresh the doc's table
#   ./scripts/bench.sh flow --redis-cluster                   # one Redis, then a 6-node cluster
#   ./scripts/bench.sh flow --callgrind --users 10            # instructions per update, under valgrind
#
# `flow` runs the release bot-gateway as a child process against a private
# redis-server (AOF everysec) and PostgreSQL. BENCH_SCRATCH_PATH picks the
# build folder (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

callgrind=""
case " $* " in *" --callgrind "* | *" --callgrind-out "*) callgrind=yes ;; esac
if [ -n "$callgrind" ]; then ensure_packages valgrind binutils gcc; else ensure_packages; fi
# wrk drives the webhook benchmark and the flow's null route, so tests do not need it.
case "${1:-}" in
webhook | flow)
    if ! command -v wrk >/dev/null; then
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk >/dev/null
    fi
    ;;
esac
trap stop_servers EXIT
[ -n "${REDIS_URL:-}" ] || start_redis >/dev/null
if [ "${1:-}" = flow ] && [ -z "${DATABASE_URL:-}" ]; then
    start_postgres >/dev/null
fi
case " $* " in
*" --redis-cluster "*) [ -n "${REDIS_CLUSTER_NODES:-}" ] || start_redis_cluster >/dev/null ;;
esac
scratch=(--scratch-path "${BENCH_SCRATCH_PATH:-.build}")
swift build -c release "${scratch[@]}" --product bench >/dev/null
bin=$(swift build -c release "${scratch[@]}" --show-bin-path)
extra=()
if [ "${1:-}" = flow ]; then
    swift build -c release "${scratch[@]}" --product bot-gateway >/dev/null
    if [ -n "$callgrind" ]; then
        # valgrind 3.19 cannot read the DWARF 5 the Swift compiler writes:
        # it runs a copy without debug information (symbols stay), preloaded
        # with the sigsuspend that keeps it from faulting in libdispatch.
        tools=$(servers_tmp)/callgrind
        mkdir -p "$tools"
        gateway="$bin/bot-gateway"
        for ((i = 1; i < $#; i++)); do
            [ "${!i}" = --gateway ] && { j=$((i + 1)); gateway="${!j}"; }
        done
        objcopy --strip-debug "$gateway" "$tools/bot-gateway"
        gcc -shared -fPIC -O2 -o "$tools/sigsuspend.so" scripts/lib/valgrind_sigsuspend.c
        extra=(--gateway "$tools/bot-gateway" --valgrind-preload "$tools/sigsuspend.so")
    fi
fi
"$bin/bench" "$@" "${extra[@]}"
