# Shared by scripts/test.sh and scripts/run.sh: install what is missing and
# start private redis-server and PostgreSQL instances on free loopback ports,
# with data in one temp folder. Source it; call stop_servers on exit.

SERVERS_TMP=""
REDIS_PID=""
REDIS_CLUSTER_PIDS=""
PG_DATA=""
PG_BIN=""

REQUIRED_PACKAGES="libhiredis-dev libcurl4-openssl-dev libssl-dev redis-server redis-tools pkg-config curl openssl"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the packages every command needs, and any named as arguments.
ensure_packages() {
    local missing=""
    local package
    for package in $REQUIRED_PACKAGES "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
    done
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing="$missing postgresql"
    if [ -n "$missing" ]; then
        echo "installing:$missing"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq $missing >/dev/null
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

servers_tmp() {
    if [ -z "$SERVERS_TMP" ]; then
        SERVERS_TMP=$(mktemp -d -t bot-gateway-servers.XXXXXX)
        # PostgreSQL runs as its own user when we are root; it must reach its folder.
        chmod 711 "$SERVERS_TMP"
    fi
    echo "$SERVERS_TMP"
}

start_redis() {
    local tmp port
    tmp=$(servers_tmp)
    port=$(free_port)
    mkdir -p "$tmp/redis"
    # AOF with fsync every second, as production runs it (README: "Redis").
    redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp/redis" --save "" \
        --appendonly yes --appendfsync everysec --enable-debug-command local \
        --logfile "$tmp/redis/redis.log" &
    REDIS_PID=$!
    local i
    for i in $(seq 1 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null || { echo "redis-server did not start; see $tmp/redis/redis.log" >&2; return 1; }
    export REDIS_URL="redis://127.0.0.1:$port/0"
    export REDIS_SERVER_BIN
    REDIS_SERVER_BIN=$(command -v redis-server)
    echo "redis-server (pid $REDIS_PID) at $REDIS_URL"
}

start_postgres() {
    local tmp port
    tmp=$(servers_tmp)
    port=$(free_port)
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PG_DATA="$tmp/postgres"
    mkdir -p "$PG_DATA"
    local run_as=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PG_DATA"
        run_as=(runuser -u postgres --)
    fi
    "${run_as[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U gateway --auth=trust -E UTF8 >"$tmp/initdb.log" 2>&1 \
        || { cat "$tmp/initdb.log" >&2; return 1; }
    "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_DATA -c fsync=off" start >/dev/null \
        || { cat "$PG_DATA/server.log" >&2; return 1; }
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U gateway botgateway
    export DATABASE_URL="postgres://gateway@127.0.0.1:$port/botgateway"
    echo "postgres at $DATABASE_URL"
}

# Three primaries and three replicas on loopback ports whose cluster-bus
# ports (+10000) are free too, AOF on; exports REDIS_CLUSTER_NODES.
start_redis_cluster() {
    local tmp port nodes="" addresses=() i
    tmp=$(servers_tmp)
    while [ "${#addresses[@]}" -lt 6 ]; do
        port=$(python3 -c 'import random, socket
for _ in range(200):
    p = random.randrange(20000, 30000)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass')
        case " ${addresses[*]} " in *" 127.0.0.1:$port "*) continue ;; esac
        mkdir -p "$tmp/cluster/$port"
        redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp/cluster/$port" --save "" \
            --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1500 \
            --appendonly yes --appendfsync everysec --repl-diskless-sync-delay 0 \
            --logfile "$tmp/cluster/$port/redis.log" &
        REDIS_CLUSTER_PIDS="$REDIS_CLUSTER_PIDS $!"
        addresses+=("127.0.0.1:$port")
    done
    for i in "${addresses[@]}"; do
        for _ in $(seq 1 100); do
            redis-cli -p "${i##*:}" ping >/dev/null 2>&1 && break
            sleep 0.1
        done
    done
    redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$tmp/cluster/create.log" 2>&1 \
        || { cat "$tmp/cluster/create.log" >&2; return 1; }
    for _ in $(seq 1 100); do
        redis-cli -p "${addresses[0]##*:}" cluster info 2>/dev/null | grep -q "cluster_state:ok" && break
        sleep 0.2
    done
    nodes=$(IFS=,; echo "${addresses[*]}")
    export REDIS_CLUSTER_NODES="$nodes"
    echo "redis cluster (pids$REDIS_CLUSTER_PIDS) at $REDIS_CLUSTER_NODES"
}

stop_servers() {
    if [ -n "$REDIS_CLUSTER_PIDS" ]; then
        local pid
        for pid in $REDIS_CLUSTER_PIDS; do kill "$pid" 2>/dev/null || true; done
        for pid in $REDIS_CLUSTER_PIDS; do wait "$pid" 2>/dev/null || true; done
        REDIS_CLUSTER_PIDS=""
    fi
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
        REDIS_PID=""
    fi
    if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
        # pg_ctl stops the server by the PID in its data folder.
        if [ "$(id -u)" = 0 ]; then
            runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
        else
            "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
        fi
        PG_DATA=""
    fi
    if [ -n "$SERVERS_TMP" ]; then
        rm -rf "$SERVERS_TMP"
        SERVERS_TMP=""
    fi
}
