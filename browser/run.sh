#!/usr/bin/env bash
# Browser tests: the pages of a debug build of the service, on a fresh SQLite database, in headless
# Chromium driven by selenium under pytest. Installs Debian's chromium and chromium-driver when
# missing (needs root and apt, as CI has), and the Python packages pinned in browser/requirements.txt
# into .build-browser-venv (again whenever the pins change).
#   browser/run.sh                 # every browser test
#   browser/run.sh -k docs         # arguments go to pytest
# The tests get BASE_URL and an admin that exists (ADMIN_USERNAME, ADMIN_PASSWORD); browser/harness.py
# holds what they share, browser/console_pages.py what the admin console's tests share. The console's
# screenshots go to SCREENSHOT_DIR (default .build-screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${BROWSER_VENV:-.build-browser-venv}"

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver
fi
/usr/bin/chromium --version

source scripts/test-server.sh
python_venv "$venv" browser/requirements.txt
binary="$(ecommerce_binary)"
make_work_folder

export DATABASE_URL="sqlite:$work/browser.sqlite"
export ADMIN_USERNAME=browser-admin ADMIN_PASSWORD=browser-admin-password
# Browser tests sign in more often than a client address may in a minute.
export AUTH_RATE_LIMIT=0 BCRYPT_COST=4
# The console's webhook page retries a delivery to a loopback port no one listens on; the dispatcher's
# own retry waits ten minutes, so an attempt after the button is the button's.
export WEBHOOK_ALLOW_INSECURE=true WEBHOOK_RETRY_SCHEDULE=600
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$PWD/.build-screenshots}"
start_server "$work"
BASE_URL="$base_url" "$venv/bin/pytest" browser -p no:cacheprovider "$@" \
    || { status=$?; echo "browser tests failed; the server's log:" >&2; tail -50 "$work/server.log" >&2; exit "$status"; }
