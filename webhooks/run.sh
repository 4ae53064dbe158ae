#!/usr/bin/env bash
# Outgoing webhooks end to end, every delivery verified by the Standard Webhooks reference library
# (`standardwebhooks` from PyPI), so the signatures are proven to the specification, not to our own
# reading of it. A debug build of the service, started by webhooks/check_flow.py (which kills and
# restarts servers), and a receiver on loopback (webhooks/receiver.py): registration rules without
# WEBHOOK_ALLOW_INSECURE; an order and its event, a refused order sending nothing, retries, failure,
# manual retry, rotation, the test event; pending deliveries surviving SIGKILL; and, on PostgreSQL,
# two instances delivering each event once.
#   webhooks/run.sh                            # SQLite in a temporary folder
#   DATABASE_URL=postgres://… webhooks/run.sh  # that PostgreSQL database, emptied first; adds two instances
# Installs the packages pinned in webhooks/requirements.txt into .build-webhooks-venv (again whenever
# the pins change). Exits non-zero on any mismatch, or when a server logs an unexpected error; stops
# what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${WEBHOOKS_VENV:-.build-webhooks-venv}"
source scripts/test-server.sh
python_venv "$venv" webhooks/requirements.txt
binary="$(ecommerce_binary)"
make_work_folder

export DATABASE_URL="${DATABASE_URL:-sqlite:$work/webhooks.sqlite}"
export ADMIN_USERNAME=webhooks-admin ADMIN_PASSWORD=webhooks-admin-password
export AUTH_RATE_LIMIT=0 BCRYPT_COST=4
# The servers are check_flow.py's children: a failed run stops them on its way out.
"$venv/bin/python" webhooks/check_flow.py "$binary" "$work"
echo "webhooks: every check passed"
