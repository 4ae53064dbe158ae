#!/usr/bin/env bash
# Starts a throw-away MariaDB server on 127.0.0.1 for the test suite and prints its DATABASE_URL.
#   eval "$(scripts/test-mariadb.sh start)"   # exports DATABASE_URL
#   scripts/test-mariadb.sh restart           # same data, new server process (the driver must reconnect)
#   scripts/test-mariadb.sh stop
# Installs MariaDB's server and client library from Debian's packages when missing. The server runs
# as root (`--user=root`; we run as root in CI) with its data in a temporary folder, on a port outside
# the ephemeral range, with no password for the test user since it listens on loopback only.
set -euo pipefail
port="${MARIADB_PORT_TEST:-23306}"
data_dir="${MARIADB_DATA_TEST:-/tmp/ecommerce-test-mariadb}"
socket="$data_dir/mariadb.sock"
pid_file="$data_dir/mariadb.pid"
user="ecommerce"

client() {
    mariadb --protocol=socket --socket="$socket" -uroot "$@"
}

wait_until_ready() {
    for _ in $(seq 1 150); do
        client -e "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "MariaDB did not start; its log:" >&2
    cat "$data_dir/server.log" >&2 || true
    return 1
}

start_server() {
    # Enough connections for the whole suite in parallel (a pool of a few per test); fsync off for speed.
    # The server keeps none of the caller's descriptors beyond the standard three, which go to
    # /dev/null: a pipe it inherited (`swift test | tee`, a test restarting it) would never see EOF.
    (
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec mariadbd --user=root --datadir="$data_dir" --socket="$socket" --pid-file="$pid_file" \
        --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
        --max-connections=1000 --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
        --innodb-buffer-pool-size=256M --log-error="$data_dir/server.log"
    ) </dev/null >/dev/null 2>&1 &
    wait_until_ready
}

stop_server() {
    if [ -f "$pid_file" ]; then
        local pid
        pid="$(cat "$pid_file")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$pid" 2>/dev/null || return 0
            sleep 0.2
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
}

case "${1:-start}" in
start)
    if ! command -v mariadbd >/dev/null || ! pkg-config --exists libmariadb; then
        echo "installing MariaDB from Debian's packages" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq mariadb-server libmariadb-dev pkg-config >&2
    fi
    stop_server
    rm -rf "$data_dir"
    mkdir -p "$data_dir"
    mariadb-install-db --user=root --datadir="$data_dir" --auth-root-authentication-method=socket \
        --skip-test-db >"$data_dir/install.log" 2>&1 || { cat "$data_dir/install.log" >&2; exit 1; }
    start_server
    # The suite's user may create and drop its per-test databases.
    client -e "CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY '$user';
        GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1' WITH GRANT OPTION;
        CREATE DATABASE ecommerce CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
    echo "export DATABASE_URL=mysql://$user:$user@127.0.0.1:$port/ecommerce"
    ;;
restart)
    stop_server
    start_server
    ;;
stop)
    stop_server
    ;;
*)
    echo "usage: $0 start|restart|stop" >&2
    exit 2
    ;;
esac
