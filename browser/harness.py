"""What every browser test of the service shares: a headless Chromium driven by selenium, the
address of the server under test, and an audit of a page load (every request it made, the ones to
another host, console errors and Content-Security-Policy violations).

The tests in this folder get these as pytest fixtures (conftest.py loads this module as a plugin):
`base_url`, `admin` (a username and password that can sign in), `browser` (a fresh driver per test,
quit afterwards), `fetch_json`. Outside pytest, `new_driver()` and `load()` work on their own.
browser/run.sh starts the server and sets BASE_URL, ADMIN_USERNAME and ADMIN_PASSWORD.
"""

import json
import os
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

# Debian's packages (browser/run.sh installs them); Selenium Manager is never asked to fetch one.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
# A page that has not finished loading by then is broken, not slow: the server is on this machine.
LOAD_TIMEOUT_SECONDS = 30


def server_base_url() -> str:
    url = os.environ.get("BASE_URL", "")
    if not url:
        raise RuntimeError("BASE_URL is not set: run browser/run.sh, or set it to a running server's address")
    return url.rstrip("/")


def new_driver(width: int = 1280, height: int = 1024, javascript: bool = True) -> webdriver.Chrome:
    """A headless Chromium that logs the console and the network for `load` to read; with
    `javascript=False` no page runs a script (selenium's own commands still work)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        # /dev/shm is small in containers; Chromium falls back to /tmp.
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        # The browser's own traffic (updates, sync, safe browsing) is no page's, and goes nowhere here.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        options.add_argument(argument)
    if not javascript:
        # The content setting a policy would set: scripts blocked on every site.
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(LOAD_TIMEOUT_SECONDS)
    return driver


@dataclass
class PageLoad:
    """What loading a page did, read from Chromium's performance (DevTools network) and console logs."""

    url: str
    requests: list = field(default_factory=list)
    blocked: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)

    @property
    def foreign_requests(self) -> list:
        """Requests to any host other than the page's own (data: URLs stay on the page)."""
        origin = urlsplit(self.url).netloc
        return [url for url in self.requests if urlsplit(url).scheme not in ("data", "about") and urlsplit(url).netloc != origin]

    def assert_clean(self) -> None:
        """Nothing fetched from another host, nothing blocked, no console error or CSP violation."""
        assert self.foreign_requests == [], f"{self.url} made requests to other hosts"
        assert self.blocked == [], f"{self.url}: requests were blocked"
        assert self.console_errors == [], f"{self.url} logged errors"


def load(driver: webdriver.Chrome, url: str) -> PageLoad:
    """Opens `url`, waits until the document has loaded, and returns what the load did. The logs are
    read (and so emptied) before and after, so the result holds this load only."""
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(url)
    WebDriverWait(driver, LOAD_TIMEOUT_SECONDS).until(lambda d: d.execute_script("return document.readyState") == "complete")
    page = PageLoad(url=url)
    urls = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
            page.requests.append(params["request"]["url"])
        elif message.get("method") == "Network.loadingFailed" and params.get("blockedReason"):
            page.blocked.append(f"{urls.get(params['requestId'], params['requestId'])}: {params['blockedReason']}")
    favicon = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/favicon.ico"
    for entry in driver.get_log("browser"):
        # The browser asks for /favicon.ico by itself, on a page that names no icon, and logs its 404
        # whenever that answer arrives (during this load or the next): no page's doing.
        if entry["message"].startswith(favicon + " "):
            continue
        # CSP violations are logged as errors ("Refused to load …", "Refused to apply inline style …").
        if entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"]:
            page.console_errors.append(entry["message"])
    return page


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=LOAD_TIMEOUT_SECONDS) as response:
        return json.load(response)


# MARK: pytest fixtures


@pytest.fixture(scope="session")
def base_url() -> str:
    return server_base_url()


@pytest.fixture(scope="session")
def admin() -> tuple:
    """An admin's username and password, created by the server at start (browser/run.sh)."""
    return os.environ["ADMIN_USERNAME"], os.environ["ADMIN_PASSWORD"]


@pytest.fixture
def browser():
    driver = new_driver()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def fetch_json(base_url):
    """GET a path of the server as JSON: `fetch_json("/openapi.json")`."""
    return lambda path: get_json(base_url + path)
