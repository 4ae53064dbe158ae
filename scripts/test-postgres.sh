#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the test suite and prints its DATABASE_URL.
#   eval "$(scripts/test-postgres.sh start)"   # exports DATABASE_URL
#   scripts/test-postgres.sh stop
# Installs PostgreSQL from Debian's packages when it is missing. Runs the server as the `postgres`
# user (PostgreSQL refuses to run as root), with its data in a temporary folder.
set -euo pipefail
port="${PGPORT_TEST:-25432}"
data_dir="${PGDATA_TEST:-/tmp/ecommerce-test-pg}"

find_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -n "$dir" ] && echo "$dir"
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "${1:-start}" in
start)
    bin="$(find_bin || true)"
    if [ -z "$bin" ]; then
        echo "installing PostgreSQL from Debian's packages" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bin="$(find_bin)"
    fi
    as_postgres "$bin/pg_ctl -D '$data_dir' stop -m fast" >/dev/null 2>&1 || true
    rm -rf "$data_dir"
    mkdir -p "$data_dir"
    [ "$(id -u)" = 0 ] && chown postgres "$data_dir"
    as_postgres "$bin/initdb -D '$data_dir' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    # 1,000 connections, as the MariaDB test server: the suite runs its apps in parallel, each with a
    # pool of its own (600 was seen exhausted: "sorry, too many clients already").
    as_postgres "$bin/pg_ctl -D '$data_dir' -l '$data_dir/server.log' -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=off\" start" >&2
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    bin="$(find_bin)"
    as_postgres "$bin/pg_ctl -D '$data_dir' stop -m fast" >&2
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
