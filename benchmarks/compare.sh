#!/usr/bin/env bash
# Two builds side by side on the same data: each gets a database seeded alike (same seed), then they
# serve in turn, ROUNDS times each, alternating, every scenario at a time; one line per run, and the
# median of each build's runs. For "no throughput lost": the previous release build against this one.
#   benchmarks/compare.sh OLD_BINARY NEW_BINARY
#   BENCH_PRODUCTS=100000 BENCH_ROUNDS=3 BENCH_DURATION=10 benchmarks/compare.sh …
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:25432/postgres benchmarks/compare.sh …   # on PostgreSQL
#   BENCH_PIN=1 benchmarks/compare.sh …   # the server on the second core, wrk on the first (SQLite)
# Each build gets a database of its own (an SQLite file, or a database created on the PostgreSQL
# server), so a newer schema never meets an older binary.
set -euo pipefail
cd "$(dirname "$0")/.."
old="$1" new="$2"
products="${BENCH_PRODUCTS:-100000}"
users="${BENCH_USERS:-1000}"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-10}"
scenarios="${BENCH_ONLY:-health product_by_id products_first_page products_deep_page products_search order_by_id place_order_1_line place_order_5_lines mix_90_read_10_order}"
port="${BENCH_PORT:-28182}"
command -v wrk > /dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export LOG_LEVEL=warning BCRYPT_COST=10 ADMIN_USERNAME=bench-admin ADMIN_PASSWORD=bench-admin-password AUTH_RATE_LIMIT=0
database_url() { # build
    if [ -n "${BENCH_POSTGRES:-}" ]; then echo "${BENCH_POSTGRES%/*}/bench_$1"; else echo "sqlite://$work/$1.sqlite"; fi
}
for build in old new; do
    if [ -n "${BENCH_POSTGRES:-}" ]; then
        psql "$BENCH_POSTGRES" -qc "DROP DATABASE IF EXISTS bench_$build WITH (FORCE)" -c "CREATE DATABASE bench_$build"
    fi
    echo "== seeding $products products for the $build build" >&2
    DATABASE_URL="$(database_url "$build")" "${!build}" seed --users "$users" --products "$products" --orders 1000 --seed 1 > /dev/null
    if [ -n "${BENCH_POSTGRES:-}" ]; then psql "$(database_url "$build")" -qc "VACUUM ANALYZE" -c "CHECKPOINT"; fi
done

# Pinned, the server and wrk no longer trade cores from one run to the next, which moved a build's
# rounds by up to 24 %; each has a core of its own (the scheduler's choices were the noise).
pin_server=() pin_wrk=()
if [ -n "${BENCH_PIN:-}" ]; then pin_server=(taskset -c 1) pin_wrk=(taskset -c 0); fi
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# The server's CPU time so far (user + system, in clock ticks): CPU per request is steadier than
# requests/s on a machine whose other tenants take cores away (steal time stretches the run, not the work).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
results="$work/results.jsonl"
for round in $(seq 1 "$rounds"); do
    for build in old new; do
        DATABASE_URL="$(database_url "$build")" "${pin_server[@]}" "${!build}" serve --port "$port" > "$work/$build.log" 2>&1 &
        server_pid=$!
        base="http://127.0.0.1:$port"
        for _ in $(seq 1 100); do curl -sf "$base/health" > /dev/null && break; sleep 0.2; done
        token="$(curl -sf "$base/auth/login" -H 'Content-Type: application/json' \
            -d "{\"username\": \"$ADMIN_USERNAME\", \"password\": \"$ADMIN_PASSWORD\"}" | json 'd["token"]')"
        first_product="$(curl -sf "$base/products?limit=1" | json 'd[0]["id"]')"
        first_user="$(curl -sf -H "Authorization: Bearer $token" "$base/users?limit=2" | json 'd[-1]["id"]')"
        order_id="$(curl -sf -H "Authorization: Bearer $token" "$base/orders?limit=1" | json 'd[0]["id"]')"
        export BENCH_PRODUCTS="$products" BENCH_USERS="$users" BENCH_FIRST_PRODUCT="$first_product" \
            BENCH_FIRST_USER="$first_user" BENCH_TOKEN="$token"
        for scenario in $scenarios; do
            lines=1
            case "$scenario" in
                health) script=get.lua path=/health ;;
                product_by_id) script=product_by_id.lua path=/products/1 ;;
                products_first_page) script=get.lua path="/products?limit=50" ;;
                products_deep_page) script=get.lua path="/products?limit=50&after_id=$((first_product + products * 9 / 10))" ;;
                products_search) script=search.lua path=/products ;;
                products_search_rare) script=search_rare.lua path=/products ;;
                order_by_id) script=get_signed_in.lua path="/orders/$order_id" ;;
                place_order_1_line) script=place_order.lua path=/orders ;;
                place_order_5_lines) script=place_order.lua path=/orders lines=5 ;;
                mix_90_read_10_order) script=mix.lua path=/products/1 ;;
                *) echo "unknown scenario $scenario" >&2; exit 2 ;;
            esac
            cpu_before="$(cpu_ticks "$server_pid")"
            BENCH_SCENARIO="$scenario" BENCH_LINES="$lines" "${pin_wrk[@]}" wrk -t2 -c32 -d"${duration}s" --latency -s "benchmarks/lua/$script" "$base$path" \
                | tail -1 > "$work/run.json"
            cpu="$(( $(cpu_ticks "$server_pid") - cpu_before ))"
            python3 -c "import json,os,sys; d=json.load(open(sys.argv[1])); d['build']='$build'; d['round']=$round; d['server_cpu_us_per_request']=round($cpu*1e6/os.sysconf('SC_CLK_TCK')/max(d['requests'],1),1); print(json.dumps(d))" \
                "$work/run.json" | tee -a "$results"
        done
        kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    done
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
print("\n| scenario | previous build, req/s | this build, req/s | median change | server CPU µs/request, previous → this | median change |")
print("|---|---|---|---:|---|---:|")
for scenario in dict.fromkeys(r["scenario"] for r in runs):
    def figures(key):
        return {b: [r[key] for r in runs if r["scenario"] == scenario and r["build"] == b] for b in ("old", "new")}
    rate, cpu = figures("requests_per_second"), figures("server_cpu_us_per_request")
    change = statistics.median(rate["new"]) / statistics.median(rate["old"]) - 1
    cpu_change = statistics.median(cpu["new"]) / statistics.median(cpu["old"]) - 1
    print(f"| {scenario} | {', '.join(f'{x:,.0f}' for x in rate['old'])} | {', '.join(f'{x:,.0f}' for x in rate['new'])} | {change:+.1%} "
          f"| {', '.join(f'{x:.0f}' for x in cpu['old'])} → {', '.join(f'{x:.0f}' for x in cpu['new'])} | {cpu_change:+.1%} |")
PY
