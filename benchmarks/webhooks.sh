#!/usr/bin/env bash
# What webhooks cost order placement: one build, one seeded database, and rounds alternating between
# no endpoint and one endpoint subscribed to every event (a receiver on loopback answering 204), one-line
# orders each time; one line per run, then the medians and their ratio. The issue's budget: at most 10 %.
#   benchmarks/webhooks.sh [BINARY]                 # SQLite; BINARY defaults to the release build
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:25432/postgres benchmarks/webhooks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build-release/release/ecommerce}"
products="${BENCH_PRODUCTS:-100000}"
users="${BENCH_USERS:-1000}"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-10}"
port="${BENCH_PORT:-28183}"
command -v wrk > /dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

work="$(mktemp -d)"
server_pid="" receiver_pid=""
cleanup() { for pid in $server_pid $receiver_pid; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export LOG_LEVEL=warning BCRYPT_COST=10 ADMIN_USERNAME=bench-admin ADMIN_PASSWORD=bench-admin-password AUTH_RATE_LIMIT=0
export WEBHOOK_ALLOW_INSECURE=true
if [ -n "${BENCH_POSTGRES:-}" ]; then
    export DATABASE_URL="${BENCH_POSTGRES%/*}/bench_webhooks"
    psql "$BENCH_POSTGRES" -qc "DROP DATABASE IF EXISTS bench_webhooks WITH (FORCE)" -c "CREATE DATABASE bench_webhooks"
else
    export DATABASE_URL="sqlite://$work/bench.sqlite"
fi
echo "== seeding $products products" >&2
"$binary" seed --users "$users" --products "$products" --orders 1000 --seed 1 > /dev/null

# The receiver: a threaded server on loopback that reads each delivery and answers 204.
python3 - "$work/receiver.port" <<'PY' &
import http.server, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
open(sys.argv[1], "w").write(str(server.server_port))
server.serve_forever()
PY
receiver_pid=$!
for _ in $(seq 1 50); do [ -s "$work/receiver.port" ] && break; sleep 0.1; done
receiver="http://127.0.0.1:$(cat "$work/receiver.port")/hooks"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
"$binary" serve --port "$port" > "$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/health" > /dev/null && break; sleep 0.2; done
token="$(curl -sf "$base/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$ADMIN_USERNAME\", \"password\": \"$ADMIN_PASSWORD\"}" | json 'd["token"]')"
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
export BENCH_PRODUCTS="$products" BENCH_USERS="$users" BENCH_TOKEN="$token" \
    BENCH_FIRST_PRODUCT="$(curl -sf "$base/products?limit=1" | json 'd[0]["id"]')" \
    BENCH_FIRST_USER="$(curl -sf "${auth[@]}" "$base/users?limit=2" | json 'd[-1]["id"]')"

results="$work/results.jsonl"
for round in $(seq 1 "$rounds"); do
    for setup in without with; do
        endpoint=""
        if [ "$setup" = with ]; then
            endpoint="$(curl -sf "${auth[@]}" "$base/webhooks" -d "{\"url\": \"$receiver\", \"events\": [\"*\"]}" | json 'd["id"]')"
        fi
        cpu_before="$(cpu_ticks "$server_pid")"
        BENCH_SCENARIO="place_order_1_line" BENCH_LINES=1 wrk -t2 -c32 -d"${duration}s" --latency -s benchmarks/lua/place_order.lua \
            "$base/orders" | tail -1 > "$work/run.json"
        cpu="$(( $(cpu_ticks "$server_pid") - cpu_before ))"
        # Until the backlog is delivered: the dispatcher's work belongs to the orders that made it.
        if [ -n "$endpoint" ]; then
            for _ in $(seq 1 600); do
                [ "$(curl -sf "${auth[@]}" "$base/webhooks/$endpoint/deliveries?status=pending&limit=1" | json 'len(d)')" = 0 ] && break
                sleep 0.5
            done
            cpu="$(( $(cpu_ticks "$server_pid") - cpu_before ))"
            curl -sf -X DELETE "${auth[@]}" "$base/webhooks/$endpoint" > /dev/null
        fi
        python3 -c "import json,os,sys; d=json.load(open(sys.argv[1])); d['setup']='$setup'; d['round']=$round; d['server_cpu_us_per_request']=round($cpu*1e6/os.sysconf('SC_CLK_TCK')/max(d['requests'],1),1); print(json.dumps(d))" \
            "$work/run.json" | tee -a "$results"
    done
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
def median(setup, key):
    return statistics.median(r[key] for r in runs if r["setup"] == setup)
rate = median("with", "requests_per_second") / median("without", "requests_per_second") - 1
cpu = median("with", "server_cpu_us_per_request") / median("without", "server_cpu_us_per_request") - 1
print("\n| one-line orders | no endpoint, req/s | one endpoint for *, req/s | change | server CPU µs/order (deliveries included) | change |")
print("|---|---|---|---:|---|---:|")
rates = {s: ", ".join(f"{r['requests_per_second']:,.0f}" for r in runs if r["setup"] == s) for s in ("without", "with")}
cpus = {s: ", ".join(f"{r['server_cpu_us_per_request']:.0f}" for r in runs if r["setup"] == s) for s in ("without", "with")}
print(f"| place_order_1_line | {rates['without']} | {rates['with']} | {rate:+.1%} | {cpus['without']} → {cpus['with']} | {cpu:+.1%} |")
PY
