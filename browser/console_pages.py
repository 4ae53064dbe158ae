"""What the admin console's browser tests share (conftest.py loads this module as a plugin, beside
harness.py): plain HTTP calls that never follow a redirect (`call`), the JSON API with an admin's
token for setting the scene (`Api`, fixture `api`), a customer registered for a test (`customer`),
and a Chromium signed in to the console through its form (`Console`, fixture `console`).

The pages' paths, ids and classes are the console's page contract (issue 22); nothing here reads
the database.
"""

import http.client
import json
import os
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import LOAD_TIMEOUT_SECONDS, load, new_driver

SESSION_COOKIE = "ecommerce_session"
POLICY = "default-src 'self'; frame-ancestors 'none'"
HTML = "text/html; charset=utf-8"
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / ".build-screenshots"))


def unique(prefix: str) -> str:
    """A name no other test uses (every test shares one database)."""
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def number(text: str) -> int:
    """The whole number a cell shows ("12", "12 in stock", "+3")."""
    match = re.search(r"[-+−]?\d[\d,]*", text)
    assert match, f"no number in {text!r}"
    return int(match.group().replace(",", "").replace("−", "-"))


def money(text: str, currency: str = "USD") -> Decimal:
    """An amount as the console writes it ("12.50 USD": two decimals and the currency's code)."""
    match = re.fullmatch(r"(-?\d[\d,]*\.\d{2}) ([A-Z]{3})", text.strip())
    assert match, f"{text!r} is not an amount written as 12.50 USD"
    assert match.group(2) == currency, f"{text!r} is not in {currency}"
    return Decimal(match.group(1).replace(",", ""))


def status_words(text: str) -> str:
    """A status as words, however a page spells it: "partially_refunded" and "Partially refunded" alike."""
    return text.strip().lower().replace("_", " ")


# MARK: HTTP without a browser


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def location_path(self) -> str:
        return urlsplit(self.header("Location")).path


def call(base_url: str, method: str, path: str, *, json_body=None, form=None, token=None, cookies=None, headers=None) -> Answer:
    """One request; redirects are answers like any other (never followed). A form is posted with an
    `Origin` of the server's own, as a browser would post it."""
    split = urlsplit(base_url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=LOAD_TIMEOUT_SECONDS)
    sent = dict(headers or {})
    body = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    elif form is not None:
        body = urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.setdefault("Origin", base_url)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if cookies:
        sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def session(token: str) -> dict:
    """The cookies of a console session holding `token`."""
    return {SESSION_COOKIE: token}


def form_csrf_token(html: str, action: str) -> str:
    """The CSRF token of the form posting to `action` in a page's HTML."""
    for attributes, content in re.findall(r"<form\b([^>]*)>(.*?)</form>", html, re.DOTALL):
        if re.search(rf"""action=["']?{re.escape(action)}["'\s>]""", attributes + ">"):
            for tag in re.findall(r"<input\b[^>]*>", content):
                if re.search(r"""name=["']?csrf_token\b""", tag):
                    value = re.search(r"""value=["']([^"']*)["']""", tag)
                    assert value, f"a csrf_token input without a value: {tag}"
                    return value.group(1)
            raise AssertionError(f"the form posting to {action} has no csrf_token input")
    raise AssertionError(f"no form posts to {action}")


class Api:
    """The JSON API, as one caller (an admin unless told otherwise)."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.token = token

    def __call__(self, method: str, path: str, body=None, expect=(200, 201, 202, 204)):
        answer = call(self.base_url, method, path, json_body=body, token=self.token)
        assert answer.status in expect, f"{method} {path} answered {answer.status}: {answer.text[:300]}"
        return answer.json() if answer.body else None

    def create_product(self, name=None, price=9.99, quantity=10, **fields) -> dict:
        return self("POST", "/products", {"name": name or unique("Teapot"), "price": price, "quantity": quantity, **fields})

    def product(self, product_id: int) -> dict:
        return self("GET", f"/products/{product_id}")

    def products_named(self, name: str) -> list:
        return [product for product in self("GET", "/products?" + urlencode({"q": name, "limit": 200})) if product["name"] == name]

    def place_order(self, user_id: int, items: dict) -> dict:
        """An order of `items` ({product_id: quantity}) for the user, dated today."""
        lines = [{"product_id": product_id, "quantity": quantity} for product_id, quantity in items.items()]
        return self("POST", "/orders", {"user_id": user_id, "items": lines})

    def order(self, order_id: int) -> dict:
        return self("GET", f"/orders/{order_id}")

    def price_problem(self, price) -> str:
        """The API's own message for a product with this price."""
        answer = call(self.base_url, "POST", "/products", json_body={"name": unique("Probe"), "price": price, "quantity": 1}, token=self.token)
        assert answer.status == 400, f"the API accepted the price {price!r}"
        return answer.json()["details"]["price"][0]


def sign_in_token(base_url: str, username: str, password: str) -> dict:
    answer = call(base_url, "POST", "/auth/login", json_body={"username": username, "password": password})
    assert answer.status == 200, f"POST /auth/login answered {answer.status}: {answer.text[:300]}"
    return answer.json()


def register_customer(base_url: str) -> dict:
    """A new customer: their user id, username, password and a token."""
    name = uuid.uuid4().hex[:10]
    password = f"password-{name}"
    answer = call(base_url, "POST", "/auth/register", json_body={
        "name": f"Customer {name}", "email": f"{name}@example.com", "phone": "+1 555 0100",
        "username": f"customer-{name}", "password": password})
    assert answer.status == 201, f"POST /auth/register answered {answer.status}: {answer.text[:300]}"
    body = answer.json()
    return {"user_id": body["user"]["id"], "username": body["account"]["username"], "password": password, "token": body["token"]}


# MARK: the console in a browser


def gone(element) -> bool:
    """Whether the element's document has been replaced (chromedriver says so in two ways)."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


@dataclass
class Navigation:
    """Where a form submission or a link ended: the status of each document on the way."""

    statuses: list

    @property
    def status(self) -> int:
        return self.statuses[-1]


class Console:
    """A Chromium on the console: open pages, submit forms by their buttons, read what came back."""

    def __init__(self, driver, base_url: str):
        self.driver = driver
        self.base_url = base_url

    def open(self, path: str):
        """Loads a page and returns harness.load's audit of it."""
        return load(self.driver, self.base_url + path)

    @property
    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return self.find(css).text.strip()

    def exists(self, css: str) -> bool:
        return bool(self.find_all(css))

    def fill(self, fields: dict) -> None:
        """Types into inputs by id, replacing what they held."""
        for field_id, value in fields.items():
            element = self.find(f"#{field_id}")
            element.clear()
            element.send_keys(str(value))

    def submit(self, button_css: str) -> Navigation:
        """Clicks a form's button and waits for the page it leads to (accepting a confirmation the
        console's script may ask for)."""
        return self.navigate(lambda: self.find(button_css).click())

    def navigate(self, action) -> Navigation:
        """Runs `action` (a click, a key) and waits until a new document has loaded; returns the
        statuses of the documents on the way (a 303, then the page it led to). The page must have
        broken no Content-Security-Policy rule on the way."""
        self.driver.get_log("performance")
        self.driver.get_log("browser")
        old = self.driver.find_element(By.TAG_NAME, "html")
        action()

        def arrived(driver):
            try:
                driver.switch_to.alert.accept()
            except NoAlertPresentException:
                pass
            return gone(old) and driver.execute_script("return document.readyState") == "complete"

        WebDriverWait(self.driver, LOAD_TIMEOUT_SECONDS).until(arrived)
        violations = [entry["message"] for entry in self.driver.get_log("browser") if "Content Security Policy" in entry["message"]]
        assert violations == [], f"{self.path} broke its policy"
        return Navigation(self.document_statuses())

    def document_statuses(self) -> list:
        """The statuses of the documents fetched since the performance log was last read."""
        statuses = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message.get("method") == "Network.requestWillBeSent" and params.get("type") == "Document" and "redirectResponse" in params:
                statuses.append(params["redirectResponse"]["status"])
            elif message.get("method") == "Network.responseReceived" and params.get("type") == "Document":
                statuses.append(params["response"]["status"])
        return statuses

    def sign_in(self, username: str, password: str) -> Navigation:
        self.open("/admin/sign-in").assert_clean()
        self.fill({"username": username, "password": password})
        return self.submit("#sign-in")

    def flash(self, error=False) -> str:
        """The text of the page's flash; an error flash (class flash-error, role alert) when `error`."""
        css = "p.flash.flash-error" if error else "p.flash"
        flashes = self.find_all(css)
        assert flashes, f"{self.path} shows no {css}"
        flash = flashes[0]
        if error:
            assert flash.get_attribute("role") == "alert", "an error flash has role alert"
        else:
            assert "flash-error" not in (flash.get_attribute("class") or "").split(), f"an error flash: {flash.text}"
            assert flash.get_attribute("role") == "status", "a flash has role status"
        return flash.text.strip()

    def field_error(self, field_id: str) -> str:
        """The message beside a field, checked to be tied to it (aria-invalid, aria-describedby) and
        to come right after it."""
        field = self.find(f"#{field_id}")
        message = self.find(f"#{field_id}-error")
        assert "field-error" in message.get_attribute("class").split()
        assert field.get_attribute("aria-invalid") == "true", f"#{field_id} is marked invalid"
        assert f"{field_id}-error" in (field.get_attribute("aria-describedby") or "").split(), f"#{field_id} is described by its error"
        following = self.driver.execute_script("return arguments[0].nextElementSibling", field)
        assert following == message, f"#{field_id}-error comes right after #{field_id}"
        return message.text.strip()

    def heading(self) -> str:
        headings = self.find_all("h1")
        assert len(headings) == 1, f"{self.path} has {len(headings)} h1 elements"
        return headings[0].text.strip()

    def session_cookie(self):
        """The session cookie's value, or None (read on an /admin page: the cookie's path)."""
        cookie = self.driver.get_cookie(SESSION_COOKIE)
        return cookie["value"] if cookie else None

    def cookies(self) -> dict:
        """Every cookie this browser sends to the console (read on an /admin page)."""
        return {cookie["name"]: cookie["value"] for cookie in self.driver.get_cookies()}

    def csrf_token(self, action: str) -> str:
        """The CSRF token of the form on this page that posts to `action`."""
        return self.find(f'form[action="{action}"] input[name=csrf_token]').get_attribute("value")

    def post(self, path: str, form: dict) -> Answer:
        """Posts a form outside the browser, with the browser's cookies."""
        return call(self.base_url, "POST", path, form=form, cookies=self.cookies())

    def rows(self, table_css: str) -> list:
        """A table's body rows as lists of cell texts (header and footer rows left out)."""
        rows = []
        for row in self.find_all(f"{table_css} > tbody > tr"):
            cells = row.find_elements(By.TAG_NAME, "td")
            if cells:
                rows.append([cell.text.strip() for cell in cells])
        return rows

    def row_ids(self, table_css: str) -> list:
        return [int(row.get_attribute("data-id")) for row in self.find_all(f"{table_css} tr[data-id]")]

    def next_page(self) -> bool:
        """Follows the page's rel=next link, if it has one."""
        links = self.find_all('a[rel="next"]')
        if not links:
            return False
        self.navigate(links[0].click)
        return True

    def shoot(self, name: str, widths=(1440, 390)) -> list:
        """Screenshots of the whole page at each width, as NAME-WIDTH.png in SCREENSHOT_DIR; returns,
        per width, how far the page is wider than the window (0 when nothing spills sideways)."""
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        spills = []
        for width in widths:
            self.driver.set_window_size(width, 900)
            # The window is taller than the page's viewport by the browser's own frame.
            height, frame = self.driver.execute_script(
                "return [Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),"
                " window.outerHeight - window.innerHeight]")
            self.driver.set_window_size(width, max(height, 600) + frame)
            self.driver.save_screenshot(str(SCREENSHOT_DIR / f"{name}-{width}.png"))
            spills.append(self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth"))
        self.driver.set_window_size(1280, 1024)
        return spills


# MARK: pytest fixtures


@pytest.fixture(scope="session")
def api(base_url, admin) -> Api:
    """The API as the admin browser/run.sh created."""
    return Api(base_url, sign_in_token(base_url, *admin)["token"])


@pytest.fixture(scope="session")
def admin_user_id(base_url, admin) -> int:
    return sign_in_token(base_url, *admin)["account"]["user_id"]


@pytest.fixture
def customer(base_url) -> dict:
    return register_customer(base_url)


@pytest.fixture
def console(browser, base_url, admin) -> Console:
    """A Chromium signed in to the console as the admin, on the dashboard."""
    page = Console(browser, base_url)
    arrived = page.sign_in(*admin)
    assert page.path == "/admin", f"signing in led to {page.path}"
    assert arrived.statuses[-2:] == [303, 200], f"signing in: {arrived.statuses}"
    return page


@pytest.fixture
def signed_out(browser, base_url) -> Console:
    return Console(browser, base_url)


@pytest.fixture
def console_without_javascript(base_url):
    driver = new_driver(javascript=False)
    try:
        yield Console(driver, base_url)
    finally:
        driver.quit()
