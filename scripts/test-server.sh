# Sourced by the scripts that try the service from outside (the fuzzer, CI's quick start, the
# generated client, the browser tests), so that each starts and stops it the same way.
#   source scripts/test-server.sh
#   python_venv "$venv" tool/requirements.txt  # the tool's pinned Python packages
#   binary="$(ecommerce_binary)"          # the debug build, built if needed (a no-op after `swift test`)
#   make_work_folder                      # sets work: a folder removed, with the server stopped, on exit
#   start_server "$dir" [serve options…]   # in $dir; sets server_pid and base_url
#   stop_server

# A virtual environment with the packages pinned in `requirements`, made anew whenever the pins
# change: it keeps a copy of the requirements it was made from.
python_venv() {
    local venv="$1" requirements="$2"
    if ! cmp -s "$requirements" "$venv/requirements.txt"; then
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$venv/requirements.txt"
    fi
}

make_work_folder() {
    work="$(mktemp -d)"
    trap 'stop_server; rm -rf "$work"' EXIT
}

ecommerce_binary() {
    swift build --product ecommerce >&2
    echo "$(swift build --show-bin-path)/ecommerce"
}

# Serves on a port the system chooses (never a fixed one another process may hold), read from its
# log's "listening on" line, logged at info (so at info whatever the caller's LOG_LEVEL); it listens
# within a second or two, and a minute is passed only by a server that hangs.
start_server() {
    local dir="$1" port=""
    shift
    (cd "$dir" && LOG_LEVEL=info exec "$binary" serve --port 0 "$@") > "$dir/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
        port="$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$dir/server.log" | head -1 | cut -d: -f2 || true)"
        [ -n "$port" ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.2
    done
    [ -n "$port" ] || { echo "the server did not listen within 60 s; its log:" >&2; cat "$dir/server.log" >&2; return 1; }
    base_url="http://127.0.0.1:$port"
}

stop_server() {
    if [ -n "${server_pid:-}" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
