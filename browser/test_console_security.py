"""Who may use the admin console and what every page of it sends: CSRF tokens checked on every form
that changes something (missing, empty or another session's → a 403 page and nothing changed, seen
through the API; the page's own token → done), customers refused (through the form, and with their
token as the session cookie), the Content-Security-Policy and HTML on every page, redirects and
error pages, values escaped."""

from console_pages import HTML, POLICY, SESSION_COOKIE, call, form_csrf_token, session, sign_in_token, unique

PAGES = ("/admin", "/admin/products", "/admin/products/new", "/admin/products/{product}", "/admin/products/{product}/delete",
         "/admin/orders", "/admin/orders/{order}", "/admin/users", "/admin/users/{user}", "/admin/webhooks")


def assert_console_html(answer, status, what):
    assert answer.status == status, f"{what} answered {answer.status}, not {status}"
    assert answer.header("Content-Security-Policy") == POLICY, f"{what}: the policy"
    if answer.status != 303:
        assert answer.header("Content-Type") == HTML, f"{what}: {answer.header('Content-Type')}"


def assert_error_page(console, heading):
    # The status's name, in whatever case ("Not found", "Not Found").
    assert console.heading().lower() == heading.lower()
    assert console.text("p.error-reason"), "the page says why"


def assert_clean_error_page(page):
    """harness.load's audit, but for the line Chromium logs about the page's own error status."""
    own_status = f"{page.url} - Failed to load resource: the server responded with a status of "
    page.console_errors = [error for error in page.console_errors if not error.startswith(own_status)]
    page.assert_clean()


class Forms:
    """Three forms that change something, each with a way to see, through the API, whether it did."""

    def __init__(self, api, customer):
        self.api = api
        self.product = api.create_product(quantity=4)
        self.order = api.place_order(customer["user_id"], {self.product["id"]: 1})
        self.name = unique("Forged")

    def cases(self):
        """(page to take the form from, its action, its fields, whether the change happened)."""
        product, order = self.product["id"], self.order["id"]
        return [
            ("/admin/products/new", "/admin/products",
             {"name": self.name, "price": "1.00", "quantity": "1"},
             lambda: bool(self.api.products_named(self.name))),
            (f"/admin/products/{product}", f"/admin/products/{product}/stock/adjustments",
             {"delta": "5", "reason": "forged"},
             lambda: self.api.product(product)["quantity"] != 3),
            (f"/admin/orders/{order}", f"/admin/orders/{order}/cancel",
             {},
             lambda: self.api.order(order)["status"] == "cancelled"),
        ]


def test_forms_posted_without_their_csrf_token_are_refused_and_change_nothing(console, api, customer):
    for _, action, fields, changed in Forms(api, customer).cases():
        for token in (None, ""):
            form = fields if token is None else {**fields, "csrf_token": token}
            answer = console.post(action, form)
            assert_console_html(answer, 403, f"POST {action} with csrf_token {token!r}")
            assert not changed(), f"POST {action} without its token changed nothing"


def test_forms_posted_with_another_sessions_csrf_token_are_refused_and_with_their_own_work(console, api, customer, base_url, admin):
    other = session(sign_in_token(base_url, *admin)["token"])
    for page, action, fields, changed in Forms(api, customer).cases():
        other_page = call(base_url, "GET", page, cookies=other)
        assert other_page.status == 200, f"the other session reads {page}"
        foreign = form_csrf_token(other_page.text, action)
        answer = console.post(action, {**fields, "csrf_token": foreign})
        assert_console_html(answer, 403, f"POST {action} with another session's token")
        assert not changed(), f"POST {action} with another session's token changed nothing"

        # The same request with the form's own token does what the form is for: the 403s were the token's.
        console.open(page)
        answer = console.post(action, {**fields, "csrf_token": console.csrf_token(action)})
        assert answer.status == 303, f"POST {action} with its own token answered {answer.status}: {answer.text[:300]}"
        assert changed(), f"POST {action} with its own token made its change"


def test_a_customer_signing_in_through_the_form_gets_a_403_page_and_no_session(signed_out, customer):
    arrived = signed_out.sign_in(customer["username"], customer["password"])
    assert arrived.status == 403, arrived.statuses
    assert_error_page(signed_out, "Forbidden")
    assert signed_out.session_cookie() is None, "no session kept"
    signed_out.open("/admin")
    assert signed_out.path == "/admin/sign-in"


def test_a_customers_token_as_the_session_cookie_gets_a_403_page(signed_out, customer, base_url):
    signed_out.open("/admin/sign-in")
    signed_out.driver.add_cookie({"name": SESSION_COOKIE, "value": customer["token"], "path": "/admin"})
    assert_clean_error_page(signed_out.open("/admin"))
    assert_error_page(signed_out, "Forbidden")
    for path in ("/admin", "/admin/products", "/admin/orders"):
        assert_console_html(call(base_url, "GET", path, cookies=session(customer["token"])), 403, f"a customer's GET {path}")
    refused = call(base_url, "POST", "/admin/products", form={"name": unique("Customer's"), "price": "1", "quantity": "1"},
                   cookies=session(customer["token"]))
    assert_console_html(refused, 403, "a customer's POST /admin/products")


def test_signed_out_pages_redirect_to_the_sign_in_form(signed_out, base_url):
    for path in ("/admin", "/admin/products", "/admin/products/new", "/admin/orders", "/admin/users", "/admin/webhooks"):
        answer = call(base_url, "GET", path)
        assert_console_html(answer, 303, f"signed out, GET {path}")
        assert answer.location_path == "/admin/sign-in", f"GET {path} → {answer.header('Location')}"
    assert_console_html(call(base_url, "GET", "/admin", cookies=session("not-a-token")), 303, "GET /admin with a made-up session")
    signed_out.open("/admin/orders").assert_clean()
    assert signed_out.path == "/admin/sign-in"
    assert_console_html(call(base_url, "GET", "/admin/sign-in"), 200, "GET /admin/sign-in")


def test_unknown_console_paths_and_ids_are_404_pages(console, base_url):
    for path in ("/admin/nope", "/admin/products/999999999", "/admin/orders/999999999", "/admin/users/999999999", "/admin/orders/abc"):
        assert_console_html(call(base_url, "GET", path, cookies=console.cookies()), 404, f"GET {path}")
        assert_clean_error_page(console.open(path))
        assert_error_page(console, "Not found")


def test_a_method_a_console_path_lacks_is_a_405_page(console, base_url):
    answer = call(base_url, "GET", "/admin/sign-out", cookies=console.cookies())
    assert_console_html(answer, 405, "GET /admin/sign-out")
    assert "POST" in answer.header("Allow")
    assert "<h1" in answer.text


def test_every_console_page_sends_the_policy_and_loads_cleanly(console, api, customer, base_url):
    product = api.create_product(quantity=3)
    order = api.place_order(customer["user_id"], {product["id"]: 1})
    paths = [path.format(product=product["id"], order=order["id"], user=customer["user_id"]) for path in PAGES]
    for path in paths:
        assert_console_html(call(base_url, "GET", path, cookies=console.cookies()), 200, f"GET {path}")
        page = console.open(path)
        page.assert_clean()
        assert base_url + "/admin/assets/console.css" in page.requests, f"{path} uses the console's stylesheet"
        inline = console.driver.execute_script(
            "return [...document.querySelectorAll('style, [style], script:not([src])')].map(e => e.outerHTML.slice(0, 80))")
        assert inline == [], f"{path} has inline style or script"
        unlabelled = console.driver.execute_script(
            "return [...document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea')]"
            ".filter(e => !e.id || !document.querySelector(`label[for=\"${e.id}\"]`)).map(e => e.outerHTML.slice(0, 80))")
        assert unlabelled == [], f"{path}: inputs without a label"
        missing_tokens = console.driver.execute_script(
            "return [...document.querySelectorAll('form')].filter(f => (f.getAttribute('method') || '').toLowerCase() === 'post'"
            " && !f.querySelector('input[type=hidden][name=csrf_token]')).map(f => f.getAttribute('action'))")
        assert missing_tokens == [], f"{path}: forms that post without a csrf_token"
        assert console.exists('nav[aria-label="Console"]') and console.exists("#sign-out"), f"{path} has the console's layout"
        assert console.exists("main#content"), f"{path} has main#content"
        console.heading()


def test_values_are_escaped(console, api):
    name = '<img src="/x-escaped.png"> & "quotes" <b>bold</b>'
    product = api.create_product(name=name)
    page = console.open(f"/admin/products/{product['id']}")
    page.assert_clean()
    assert console.heading() == name
    assert console.find_all("h1 img, h1 b") == [], "markup in a value stays text"
    assert not [url for url in page.requests if "x-escaped" in url]


def test_the_sign_in_page_loads_cleanly_with_labels(signed_out):
    signed_out.open("/admin/sign-in").assert_clean()
    assert signed_out.find("label[for=username]").text and signed_out.find("label[for=password]").text
    assert signed_out.text("#sign-in") == "Sign in"
