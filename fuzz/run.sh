#!/usr/bin/env bash
# Fuzzes a debug build of the service against its own OpenAPI document with schemathesis and every
# check it has (per-operation exceptions, each with its reason, in fuzz/schemathesis.toml): every
# operation anonymously, then signed in as a customer, then as an admin, with a fixed seed.
#   fuzz/run.sh                           # SQLite in a temporary folder
#   DATABASE_URL=postgres://… fuzz/run.sh # that PostgreSQL database, emptied first
# Installs schemathesis (pinned in fuzz/requirements.txt) into a virtual environment (again whenever the pins change).
# Exits non-zero on any finding or when the server logs an unexpected error.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${FUZZ_VENV:-.build-fuzz-venv}"
examples="${FUZZ_MAX_EXAMPLES:-25}"
seed="${FUZZ_SEED:-20261126}"
password="fuzz-password"

source scripts/test-server.sh
python_venv "$venv" fuzz/requirements.txt
binary="$(ecommerce_binary)"
make_work_folder

# A fresh database with data to find: users, products, orders.
export DATABASE_URL="${DATABASE_URL:-sqlite:$work/fuzz.sqlite}"
export BCRYPT_COST=4 LOG_LEVEL=warning
# The fuzzer signs in and registers far more than a client address may a minute.
export AUTH_RATE_LIMIT=0
"$binary" migrate --revert --all > /dev/null
"$binary" seed --users 30 --products 60 --orders 40 --seed 7 > /dev/null
start_server "$work"
base="$base_url"

fuzz() {
    "$venv/bin/schemathesis" --config-file fuzz/schemathesis.toml run "$base/openapi.json" \
        --seed "$seed" --max-examples "$examples" --generation-database none --workers 1 --request-timeout 10 \
        --no-color "$@"
}
token_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'; }
# A new admin for each operation, signed in: whatever one operation does to its admin (signs it
# out, renames it, deletes it), the next starts with a working one.
new_admin_token() {
    printf '%s\n' "$password" | "$binary" create-admin --username "fuzz-admin-$1" --password-stdin > /dev/null
    curl -sf -X POST "$base/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\": \"fuzz-admin-$1\", \"password\": \"$password\"}" | token_of
}
# A customer registers, which signs it in.
new_customer_token() {
    curl -sf -X POST "$base/auth/register" -H 'Content-Type: application/json' -d "{\"name\": \"Fuzz customer\",
        \"email\": \"fuzz-customer@example.com\", \"phone\": \"+44 20 7946 0000\", \"username\": \"fuzz-customer\",
        \"password\": \"$password\"}" | token_of
}

failed=()
echo "== schemathesis: every operation, anonymously"
fuzz || failed+=("anonymous")
# A customer can change its own user and account but not delete them, and keeps its token through
# a new password: one customer serves every operation, signing out last.
echo "== schemathesis: every operation, as a customer"
token="$(new_customer_token)"
fuzz --exclude-operation-id logout -H "Authorization: Bearer $token" || failed+=("customer")
fuzz --include-operation-id logout -H "Authorization: Bearer $token" || failed+=("customer logout")
# One run per operation, each as its own admin, so no operation leaves the next answering only 401.
# Public operations answer an admin as they answer anyone, which the runs above cover.
operations="$(curl -sf "$base/openapi.json" | python3 -c '
import json, sys
for item in json.load(sys.stdin)["paths"].values():
    for operation in item.values():
        if operation["x-access"] != "public":
            print(operation["operationId"])')"
for operation in $operations; do
    echo "== schemathesis: $operation, as an admin"
    token="$(new_admin_token "$operation")"
    fuzz --include-operation-id "$operation" -H "Authorization: Bearer $token" || failed+=("$operation")
done
if grep -q "Unexpected error" "$work/server.log"; then
    echo "fuzz: the server logged unexpected errors:" >&2
    grep "Unexpected error" "$work/server.log" >&2
    failed+=("server log")
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: findings in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: no findings"
