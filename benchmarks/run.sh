#!/usr/bin/env bash
# Builds the release binary, starts it on a fresh database, seeds it, and drives it with wrk.
#   benchmarks/run.sh                       # SQLite, 1,000,000 products
#   DATABASE_URL=postgres://… benchmarks/run.sh
#   BENCH_PRODUCTS=100000 BENCH_DURATION=5 benchmarks/run.sh   # a quicker run
#   BENCH_ONLY="health product_by_id" benchmarks/run.sh        # only these scenarios
# Writes benchmarks/results/latest.json and benchmarks/results/latest.md (copy the table into RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."

products="${BENCH_PRODUCTS:-1000000}"
users="${BENCH_USERS:-10000}"
orders="${BENCH_ORDERS:-10000}"
duration="${BENCH_DURATION:-10}"
connections=32
port="${BENCH_PORT:-28181}"

if ! command -v wrk > /dev/null; then
    echo "installing wrk from Debian's packages" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi

swift build -c release --product ecommerce --scratch-path .build-release
binary=".build-release/release/ecommerce"
# The framework's floor: a package of its own (benchmarks/floor), built apart from the service.
swift build -c release --package-path benchmarks/floor --scratch-path .build-floor
floor_binary=".build-floor/release/floor"

work="$(mktemp -d)"
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/bench.sqlite}"
export LOG_LEVEL=warning BCRYPT_COST=10 ADMIN_USERNAME=bench-admin ADMIN_PASSWORD=bench-admin-password
server_pid="" floor_pid=""
cleanup() { for pid in $server_pid $floor_pid; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

echo "== seeding $products products, $users users, $orders orders on ${DATABASE_URL%%:*}"
seed_start=$(date +%s.%N)
"$binary" seed --users "$users" --products "$products" --orders "$orders" --seed 1
seed_seconds=$(echo "$(date +%s.%N) - $seed_start" | bc)
if [[ "$DATABASE_URL" == postgres* ]]; then
    # Autovacuum's first pass over a million fresh rows, and the checkpoint of the WAL the seeding
    # wrote, would otherwise run during the scenarios.
    psql "$DATABASE_URL" -qc "VACUUM ANALYZE" -c "CHECKPOINT"
fi

"$binary" serve --port "$port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
token="$(curl -sf "$base/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$ADMIN_USERNAME\", \"password\": \"$ADMIN_PASSWORD\"}" | json 'd["token"]')"
auth=(-H "Authorization: Bearer $token")
first_product="$(curl -sf "$base/products?limit=1" | json 'd[0]["id"]')"
first_user="$(curl -sf "${auth[@]}" "$base/users?limit=2" | json 'd[-1]["id"]')"
deep_after=$((first_product + products * 9 / 10))
# An order with five lines, for GET /orders/{id}.
order_id="$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$base/orders" \
    -d "{\"user_id\": $first_user, \"product_ids\": [$first_product, $((first_product + 1)), $((first_product + 2)), $((first_product + 3)), $((first_product + 4))]}" \
    | json 'd["id"]')"

export BENCH_PRODUCTS="$products" BENCH_USERS="$users" BENCH_FIRST_PRODUCT="$first_product" \
    BENCH_FIRST_USER="$first_user" BENCH_TOKEN="$token"
results="$work/results.jsonl"

run() { # name, lua script, path, [lines], [server's pid and address: the service's unless given]
    if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $1 "* ]]; then return; fi
    export BENCH_SCENARIO="$1" BENCH_LINES="${4:-1}"
    local pid="${5:-$server_pid}" address="${6:-$base}"
    echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true   # reset the peak RSS
    wrk -t2 -c"$connections" -d"${duration}s" --latency -s "benchmarks/lua/$2" "$address$3" > "$work/$1.txt"
    local rss_kb
    rss_kb="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
    tail -1 "$work/$1.txt" | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d['peak_rss_mb']=round($rss_kb/1024,1); print(json.dumps(d))" >> "$results"
    tail -1 "$results"
}

# The floor first, alone on the machine like every scenario; the service idles meanwhile.
"$floor_binary" $((port + 1)) > "$work/floor.log" 2>&1 &
floor_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((port + 1))/health" > /dev/null && break; sleep 0.2; done
run floor get.lua /health 1 "$floor_pid" "http://127.0.0.1:$((port + 1))"
kill "$floor_pid"; wait "$floor_pid" 2>/dev/null || true; floor_pid=""

run health get.lua /health
run product_by_id product_by_id.lua /products/1
run products_first_page get.lua "/products?limit=50"
run products_deep_page get.lua "/products?limit=50&after_id=$deep_after"
run products_search search.lua "/products"
run products_search_rare search_rare.lua "/products"
run order_by_id get_signed_in.lua "/orders/$order_id"
run place_order_1_line place_order.lua /orders 1
run place_order_5_lines place_order.lua /orders 5
run mix_90_read_10_order mix.lua /products/1

# Stock must be exactly consistent after all those orders: every product's ledger sums to its stock.
unbalanced="unchecked"
if [[ "$DATABASE_URL" == sqlite* ]]; then
    unbalanced="$(python3 - "${DATABASE_URL#sqlite://}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("""SELECT COUNT(*) FROM products p WHERE quantity <> (SELECT COALESCE(SUM(delta), 0)
                    FROM stock_movements m WHERE m.product_id = p.id)""").fetchone()[0])
PY
)"
elif command -v psql > /dev/null; then
    unbalanced="$(psql "$DATABASE_URL" -Atc "SELECT COUNT(*) FROM products p WHERE quantity <> (SELECT COALESCE(SUM(delta), 0)
                  FROM stock_movements m WHERE m.product_id = p.id)")"
fi

mkdir -p benchmarks/results
python3 benchmarks/report.py "$results" "$seed_seconds" "$products" "${DATABASE_URL%%:*}" "$unbalanced" \
    benchmarks/results/latest.json benchmarks/results/latest.md
cat benchmarks/results/latest.md
