#!/usr/bin/env bash
# Card payments through Stripe, without the internet. First stripe/check_signatures.py: the signed
# webhook deliveries in stripe/signatures.json, which the Swift tests use, are made and accepted by
# Stripe's own Python library. Then end to end: a debug build of the service on a fresh SQLite
# database, pointed (STRIPE_API_BASE) at stripe/fake_stripe.py, a local server that checks each
# request as Stripe's API documents it and answers Stripe's JSON; stripe/check_flow.py drives
# checkout, webhook deliveries signed by Stripe's library, refunds, and Stripe's errors.
#   stripe/run.sh
# Installs the packages pinned in stripe/requirements.txt (Stripe's library) into .build-stripe-venv
# (again whenever the pins change). Exits non-zero on any mismatch, or when the server logs an
# unexpected error; stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${STRIPE_VENV:-.build-stripe-venv}"
source scripts/test-server.sh
python_venv "$venv" stripe/requirements.txt
python="$venv/bin/python"
# The signatures the Swift tests rely on are Stripe's: its library makes and accepts each of them.
"$python" stripe/check_signatures.py
binary="$(ecommerce_binary)"
make_work_folder

# The fake Stripe, on a port the system chooses; stopped with the server on the way out.
"$python" stripe/fake_stripe.py --port-file "$work/stripe.port" > "$work/fake-stripe.log" 2>&1 &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true; stop_server; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    [ -s "$work/stripe.port" ] && break
    kill -0 "$fake_pid" 2>/dev/null || break
    sleep 0.1
done
[ -s "$work/stripe.port" ] || { echo "stripe: the fake Stripe did not start:" >&2; cat "$work/fake-stripe.log" >&2; exit 1; }
fake_url="http://127.0.0.1:$(cat "$work/stripe.port")"

export DATABASE_URL="sqlite:$work/stripe.sqlite"
export ADMIN_USERNAME=stripe-admin ADMIN_PASSWORD=stripe-admin-password
export AUTH_RATE_LIMIT=0 BCRYPT_COST=4
export STRIPE_SECRET_KEY="sk_test_51FakeKeyForTheLocalStripe" STRIPE_WEBHOOK_SECRET="whsec_local_stripe_flow_secret"
export STRIPE_API_BASE="$fake_url"
start_server "$work"

status=0
"$python" stripe/check_flow.py "$base_url" "$fake_url" || status=$?
if grep -q "Unexpected error" "$work/server.log"; then
    echo "stripe: the server logged unexpected errors:" >&2
    grep "Unexpected error" "$work/server.log" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "stripe: the flow failed; the server's log:" >&2
    tail -60 "$work/server.log" >&2
    exit "$status"
fi
echo "stripe: every check passed"
