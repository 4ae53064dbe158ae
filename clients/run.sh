#!/usr/bin/env bash
# Generates clients from the running service's own /openapi.json, as an integrator would, and uses them:
# a Python client by openapi-python-client, which must come with no warning, every operation and a type
# for every request body, then drives the main flow through it (clients/flow.py); then pydantic models by
# datamodel-code-generator, which must keep every constraint of the document (clients/check_models.py).
#   clients/run.sh                           # SQLite in a temporary folder
#   DATABASE_URL=postgres://… clients/run.sh # that PostgreSQL database, emptied first
# Installs the generators (pinned in clients/requirements.txt) into a virtual environment (again whenever the pins change).
# Nothing generated is kept: it is written to a temporary folder and removed on exit. Every part runs
# (the flow only on a complete client); exits non-zero naming each part that failed.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${CLIENTS_VENV:-.build-clients-venv}"
source scripts/test-server.sh
python_venv "$venv" clients/requirements.txt
# openapi-python-client formats what it writes with the `ruff` it finds on the PATH: the pinned one.
export PATH="$PWD/$venv/bin:$PATH"
python="$venv/bin/python"

binary="$(ecommerce_binary)"
make_work_folder

# A fresh database with an admin, created by the server at start.
export DATABASE_URL="${DATABASE_URL:-sqlite:$work/clients.sqlite}"
export BCRYPT_COST=4 AUTH_RATE_LIMIT=0
export ADMIN_USERNAME="${ADMIN_USERNAME:-clients-admin}" ADMIN_PASSWORD="${ADMIN_PASSWORD:-clients-admin-password}"
"$binary" migrate --revert --all > /dev/null
start_server "$work"
curl -sf "$base_url/openapi.json" -o "$work/openapi.json"

# Every part runs, so that one run names every finding; the flow needs a complete client.
failed=() complete=true
echo "== openapi-python-client"
# --meta none writes the package alone: $work/client/ecommerce_client, imported from $work/client.
if ! openapi-python-client generate --path "$work/openapi.json" --meta none \
    --output-path "$work/client/ecommerce_client" --fail-on-warning > "$work/generate.log" 2>&1 \
    || grep -qi "warning" "$work/generate.log"; then
    cat "$work/generate.log" >&2
    failed+=("openapi-python-client warned or failed") complete=false
fi
if [ ! -d "$work/client/ecommerce_client" ] \
    || ! "$python" clients/check_client.py "$work/openapi.json" "$work/client" ecommerce_client; then
    failed+=("the generated client") complete=false
fi
echo "== the flow through the generated client"
if $complete; then
    "$python" clients/flow.py "$base_url" "$work/client" || failed+=("the flow")
else
    echo "clients: the flow did not run: the generated client is incomplete" >&2
fi

echo "== datamodel-code-generator"
# --field-constraints: constraints as Field(...) arguments, which an EmailStr keeps too (constr() cannot carry them).
if datamodel-codegen --input "$work/openapi.json" --input-file-type openapi --output "$work/models.py" \
    --output-model-type pydantic_v2.BaseModel --target-python-version 3.11 --field-constraints --formatters builtin; then
    "$python" clients/check_models.py "$work/openapi.json" "$work/models.py" || failed+=("the generated models")
else
    failed+=("datamodel-code-generator failed")
fi

if grep -q "Unexpected error" "$work/server.log"; then
    echo "clients: the server logged unexpected errors:" >&2
    grep "Unexpected error" "$work/server.log" >&2
    failed+=("server log")
fi
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'clients: failed: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "clients: every check passed"
