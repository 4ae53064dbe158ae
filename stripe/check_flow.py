"""Card payments through Stripe, end to end, against a running service and stripe/fake_stripe.py.
Run by stripe/run.sh:

    check_flow.py BASE_URL FAKE_STRIPE_URL

The service runs with STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_API_BASE (the fake), and
ADMIN_USERNAME / ADMIN_PASSWORD naming an admin; this script reads the same variables. Webhook
deliveries are signed by Stripe's own library (`stripe.WebhookSignature.generate_signature_header`),
and what the service sent Stripe is read from the fake's record of requests.

Each scenario runs on orders of its own; every scenario runs, and the script prints one line per
step, the mismatches, then "N passed, M failed", and exits non-zero on any mismatch.
"""

import json
import os
import re
import sys
import time
import traceback
import uuid
from decimal import Decimal

import requests
import stripe

base_url, fake_url = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]
WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
http = requests.Session()


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from flow_checks import Mismatch, body, expect, stepper  # noqa: E402

step = stepper("stripe flow")


def call(method, path, token=None, status=None, **arguments):
    """A request to the service; with `status`, the answer must have it."""
    headers = arguments.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = http.request(method, base_url + path, headers=headers, timeout=30, **arguments)
    if status is not None:
        expect(response.status_code == status,
               f"{method} {path}: expected {status}, got {response.status_code}: {response.text[:400]}")
    return response


def money(value):
    return Decimal(str(value))


# The fake's side.

def fake(method, path, **arguments):
    response = http.request(method, fake_url + path, timeout=10, **arguments)
    expect(response.status_code == 200, f"fake {method} {path}: {response.status_code} {response.text[:300]}")
    return response.json()


def stripe_requests(path=None):
    return [request for request in fake("GET", "/_fake/requests") if path is None or request["path"] == path]


def form_of(request):
    return dict(request["form"])


def expect_checkout_key(request, order_id, cents):
    """Derived from the order and the balance: `order-<id>-checkout-<cents>`, after a prefix naming the shop
    (the service sends `ecommerce-…`, so that keys from other systems on one Stripe account never collide)."""
    key = request["headers"].get("idempotency-key", "")
    expect(re.fullmatch(rf"(?:[a-z0-9]+-)?order-{order_id}-checkout-{cents}", key),
           f"the Idempotency-Key was {key!r}, not order-{order_id}-checkout-{cents}")


def expect_stripe_request(request, path, fields):
    """A request as Stripe's API documents it: the key, a form body, an idempotency key, these fields exactly."""
    headers = request["headers"]
    expect(request["path"] == path, f"Stripe was called at {request['path']}, not {path}")
    expect(headers.get("authorization") == f"Bearer {SECRET_KEY}",
           f"{path}: Authorization was {headers.get('authorization')!r}")
    expect(headers.get("content-type", "").split(";")[0].strip() == "application/x-www-form-urlencoded",
           f"{path}: Content-Type was {headers.get('content-type')!r}")
    expect(headers.get("idempotency-key", "").strip() != "", f"{path}: no Idempotency-Key")
    names = [name for name, _ in request["form"]]
    expect(len(names) == len(set(names)), f"{path}: a repeated form field in {request['body']!r}")
    expect(form_of(request) == fields, f"{path}: the form was {form_of(request)}, expected {fields}")
    expect(request["status"] == 200, f"{path}: the fake refused it: {request['response']}")


# Stripe's deliveries.

def event(event_type, data_object):
    """A new event (an id of its own) as Stripe's webhook delivers it, pretty-printed as Stripe sends it."""
    return json.dumps({
        "id": f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "api_version": "2024-06-20",
        "created": int(time.time()), "data": {"object": data_object}, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type,
    }, indent=2, ensure_ascii=False)


def deliver(payload, header="sign", secret=WEBHOOK_SECRET, timestamp=None, status=200):
    """POSTs an event to /stripe/webhook as Stripe does, signed by Stripe's library unless `header` is given."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
    if header == "sign":
        header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    if header is not None:
        headers["Stripe-Signature"] = header
    response = call("POST", "/stripe/webhook", data=payload.encode("utf-8"), headers=headers, status=status)
    if status == 200:
        expect(body(response) == {"received": True}, f"the webhook answered {response.text[:200]}")
    else:
        expect(body(response).get("error") is True, f"a refused delivery without the Error body: {response.text[:200]}")
    return response


# The shop's side.

class Shop:
    def __init__(self):
        self.admin = body(call("POST", "/auth/login", status=200, json={
            "username": os.environ["ADMIN_USERNAME"], "password": os.environ["ADMIN_PASSWORD"]}))["token"]
        self.cup = self.product("Espresso cup", "12.50")
        self.saucer = self.product("Saucer", "4.99")
        self.sweet = self.product("Sugar cube", "0.30")
        self.customer, self.customer_id = self.register("ada")
        self.stranger, _ = self.register("bob")

    def product(self, name, price):
        return body(call("POST", "/products", self.admin, 201, json={
            "name": f"{name} {uuid.uuid4().hex[:6]}", "price": float(price), "quantity": 1000}))["id"]

    def register(self, name):
        suffix = uuid.uuid4().hex[:8]
        registered = body(call("POST", "/auth/register", status=201, json={
            "name": name.title(), "email": f"{name}-{suffix}@example.com", "phone": "+44 20 7946 0000",
            "username": f"{name}-{suffix}", "password": "stripe-flow-password"}))
        return registered["token"], registered["user"]["id"]

    def order(self, lines=None):
        """An order of 2 cups and a saucer (29.99) for the customer, placed by an admin."""
        lines = lines or [(self.cup, 2), (self.saucer, 1)]
        return body(call("POST", "/orders", self.admin, 201, json={
            "user_id": self.customer_id, "items": [{"product_id": p, "quantity": q} for p, q in lines]}))

    def get(self, order_id):
        return body(call("GET", f"/orders/{order_id}", self.admin, 200))

    def payments(self, order_id):
        return body(call("GET", f"/orders/{order_id}/payments", self.admin, 200))

    def refunds(self, order_id):
        return body(call("GET", f"/orders/{order_id}/refunds", self.admin, 200))

    def state(self, order_id):
        """Everything a Stripe event or call may change about an order."""
        return self.get(order_id), self.payments(order_id), self.refunds(order_id)

    def checkout(self, order_id, token="the customer", status=201):
        """As the order's customer, another token, or anonymously (`token=None`)."""
        return call("POST", f"/orders/{order_id}/checkout", self.customer if token == "the customer" else token, status)

    def paid_through_stripe(self, order_id):
        """Checkout, the customer pays, Stripe delivers payment_intent.succeeded: the PaymentIntent."""
        intent_id = body(self.checkout(order_id))["payment_intent_id"]
        intent = fake("POST", f"/_fake/payment_intents/{intent_id}/succeed")
        deliver(event("payment_intent.succeeded", intent))
        expect(self.get(order_id)["payment_status"] == "paid", f"order {order_id} is not paid after the event")
        return intent


# The scenarios.

def checkout_creates_a_payment_intent_as_stripe_documents(shop):
    order = shop.order()
    order_id = order["id"]
    before = len(stripe_requests())
    answer = body(shop.checkout(order_id))
    made = stripe_requests()[before:]
    expect(len(made) == 1, f"checkout made {len(made)} calls to Stripe")
    request = made[0]
    expect_stripe_request(request, "/v1/payment_intents", {
        "amount": "2999", "currency": "usd", "metadata[order_id]": str(order_id),
        "automatic_payment_methods[enabled]": "true"})
    expect_checkout_key(request, order_id, 2999)
    intent = request["response"]
    expected = {"provider": "stripe", "payment_intent_id": intent["id"], "client_secret": intent["client_secret"],
                "amount": 29.99, "currency": "USD"}
    expect(answer == expected, f"checkout answered {answer}, expected {expected}")
    step(f"checkout of order {order_id} (29.99): 201 with the fake's PaymentIntent; Stripe saw amount=2999, "
         f"currency=usd, metadata[order_id], automatic_payment_methods[enabled]=true, the Idempotency-Key")

    again = body(shop.checkout(order_id, shop.admin))
    expect(again == expected, f"a second checkout (by an admin) answered {again}")
    replay = stripe_requests()[-1]
    expect(replay["replayed"] and replay["headers"]["idempotency-key"] == request["headers"]["idempotency-key"],
           "a second checkout for the same balance did not reuse the Idempotency-Key")
    step("checkout again, by an admin: the same PaymentIntent (Stripe replayed the Idempotency-Key)")

    count = len(stripe_requests())
    shop.checkout(order_id, shop.stranger, 404)
    shop.checkout(order_id, None, 401)
    shop.checkout(999_999_999, shop.admin, 404)
    expect(len(stripe_requests()) == count, "a refused checkout called Stripe")
    got = shop.get(order_id)
    expect((got["payment_status"], money(got["amount_paid"])) == ("unpaid", 0), f"checkout changed the order: {got}")
    step("another customer's order 404, anonymous 401, an unknown order 404: Stripe not called; the order unpaid")


def checkout_asks_for_the_balance_due(shop):
    order_id = shop.order()["id"]
    call("POST", f"/orders/{order_id}/payments", shop.admin, 201, json={"amount": 10.00, "method": "cash"})
    before = len(stripe_requests())
    answer = body(shop.checkout(order_id))
    request = stripe_requests()[before]
    expect(form_of(request).get("amount") == "1999", f"Stripe was asked for {form_of(request).get('amount')}")
    expect_checkout_key(request, order_id, 1999)
    expect(money(answer["amount"]) == Decimal("19.99"), f"checkout answered amount {answer['amount']}")
    step("10.00 paid in cash of 29.99: checkout asks Stripe for 1999 with key …order-N-checkout-1999")


def checkout_refuses_what_has_nothing_due(shop):
    paid = shop.order()["id"]
    call("POST", f"/orders/{paid}/payments", shop.admin, 201, json={"amount": 29.99, "method": "bank_transfer"})
    cancelled = shop.order()["id"]
    call("DELETE", f"/orders/{cancelled}", shop.admin, 200)
    count = len(stripe_requests())
    for order_id, what in ((paid, "a paid order"), (cancelled, "a cancelled order")):
        error = body(shop.checkout(order_id, status=409))
        expect(error.get("error") is True, f"{what}: 409 without the Error body")
    expect(len(stripe_requests()) == count, "a refused checkout called Stripe")
    step("checkout of a paid order and of a cancelled one: 409, Stripe not called")


def a_payment_is_recorded_once_per_payment_intent(shop):
    order_id = shop.order()["id"]
    intent_id = body(shop.checkout(order_id))["payment_intent_id"]
    intent = fake("POST", f"/_fake/payment_intents/{intent_id}/succeed")
    # Characters of two, three and four bytes: the signature covers the body's UTF-8 bytes as sent.
    payload = event("payment_intent.succeeded", {**intent, "description": "Tasse à café — 字 😀"})
    deliver(payload)
    got = shop.get(order_id)
    expect((got["payment_status"], money(got["amount_paid"])) == ("paid", Decimal("29.99")),
           f"after payment_intent.succeeded the order is {got['payment_status']} with {got['amount_paid']} paid")
    payments = shop.payments(order_id)
    expect(len(payments) == 1, f"{len(payments)} payments recorded")
    payment = payments[0]
    expect((payment["provider"], payment["method"], payment["reference"], money(payment["amount"]))
           == ("stripe", "card", intent_id, Decimal("29.99")), f"the payment recorded is {payment}")
    step(f"payment_intent.succeeded (with text beyond ASCII) signed by stripe {stripe.VERSION}: 200; the order paid; one payment "
         "{provider: stripe, method: card, reference: the PaymentIntent, 29.99}")

    before = shop.state(order_id)
    deliver(payload)
    expect(shop.state(order_id) == before, "the same event delivered again changed the order")
    step("the same event again: 200, nothing changes")
    deliver(event("payment_intent.succeeded", intent))
    expect(shop.state(order_id) == before, "a second event for the same PaymentIntent changed the order")
    step("another event id for the same PaymentIntent: 200, still one payment")
    # A storefront asking again once paid: nothing is due.
    shop.checkout(order_id, status=409)
    step("checkout of the order Stripe paid: 409")


def bad_signatures_are_refused_and_change_nothing(shop):
    order_id = shop.order()["id"]
    intent_id = body(shop.checkout(order_id))["payment_intent_id"]
    intent = fake("POST", f"/_fake/payment_intents/{intent_id}/succeed")
    payload = event("payment_intent.succeeded", intent)
    before = shop.state(order_id)
    now = int(time.time())
    good = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, timestamp=now)
    good_signature = good.split("v1=", 1)[1]
    tampered = payload.replace('"amount_received": 2999', '"amount_received": 1', 1)
    expect(tampered != payload, "the tampering changed nothing")
    cases = {
        "a tampered body": dict(payload=tampered, header=good),
        "a wrong secret": dict(payload=payload, secret=WEBHOOK_SECRET + "x"),
        "no Stripe-Signature": dict(payload=payload, header=None),
        "a timestamp 10 minutes old": dict(payload=payload, timestamp=now - 600),
        "a timestamp 10 minutes ahead": dict(payload=payload, timestamp=now + 600),
        "the signature under v0 only": dict(payload=payload, header=f"t={now},v0={good_signature}"),
        "no timestamp": dict(payload=payload, header=f"v1={good_signature}"),
        "an empty header": dict(payload=payload, header=""),
    }
    for what, arguments in cases.items():
        deliver(**arguments, status=400)
        expect(shop.state(order_id) == before, f"{what}: 400, but the order changed")
    step("a tampered body, a wrong secret, no header, a timestamp 10 minutes old (and ahead), v0 only, no t=, "
         "an empty header: 400 each, nothing changes")
    # Stripe sends several v1 signatures while a secret is being rolled: any one of them may match.
    deliver(payload, header=f"t={now},v1={'0' * 64},v1={good_signature},v0={'1' * 64}")
    expect(shop.get(order_id)["payment_status"] == "paid", "a header with the right v1 among others was not applied")
    step("a header with the right signature among several v1 (and a v0): 200, applied")


def events_the_shop_does_not_apply(shop):
    order_id = shop.order()["id"]
    intent_id = body(shop.checkout(order_id))["payment_intent_id"]
    intent = fake("POST", f"/_fake/payment_intents/{intent_id}/succeed")
    before = shop.state(order_id)
    deliver(event("payment_intent.created", {**intent, "status": "requires_payment_method"}))
    deliver(event("customer.created", {"id": "cus_QxYq1", "object": "customer", "email": "ada@example.com"}))
    expect(shop.state(order_id) == before, "an event of another type changed the order")
    step("payment_intent.created and customer.created: 200, ignored")
    deliver(event("payment_intent.succeeded", {**intent, "id": "pi_unknownorder1", "metadata": {"order_id": "999999999"}}))
    step("payment_intent.succeeded for an unknown order: 200, nothing recorded")
    deliver(event("payment_intent.succeeded", {**intent, "currency": "eur"}))
    expect(shop.state(order_id) == before, "a payment in another currency than the shop's was recorded")
    step("payment_intent.succeeded in eur for a shop in USD: 200, nothing recorded")
    cancelled = shop.order()["id"]
    cancelled_intent = fake("POST", f"/_fake/payment_intents/{body(shop.checkout(cancelled))['payment_intent_id']}/succeed")
    call("DELETE", f"/orders/{cancelled}", shop.admin, 200)
    cancelled_before = shop.state(cancelled)
    deliver(event("payment_intent.succeeded", cancelled_intent))
    expect(shop.state(cancelled) == cancelled_before, "an event for a cancelled order changed it")
    step("payment_intent.succeeded for a cancelled order: 200, nothing recorded")
    for payload in ("[]", "not json", '{"id": "evt_1"}'):
        deliver(payload, status=400)
    expect(shop.state(order_id) == before, "a body that is not an event changed the order")
    step("signed bodies that are not events (an array, not JSON, no type): 400")


def refunds_go_through_stripe_and_are_counted_once(shop):
    order_id = shop.order()["id"]
    intent = shop.paid_through_stripe(order_id)
    before = len(stripe_requests())
    refund = body(call("POST", f"/orders/{order_id}/refunds", shop.admin, 201,
                       json={"amount": 5.00, "reason": "arrived damaged"}))
    made = stripe_requests()[before:]
    expect(len(made) == 1, f"a refund made {len(made)} calls to Stripe")
    expect_stripe_request(made[0], "/v1/refunds", {"payment_intent": intent["id"], "amount": "500"})
    expect(money(refund["amount"]) == Decimal("5.00"), f"the refund recorded is {refund}")
    got = shop.get(order_id)
    expect((got["payment_status"], money(got["amount_refunded"])) == ("partially_refunded", Decimal("5.00")),
           f"after the refund the order is {got['payment_status']}, {got['amount_refunded']} refunded")
    step("refund of 5.00: Stripe saw POST /v1/refunds payment_intent=pi_…, amount=500, an Idempotency-Key; 201")

    charge = fake("GET", f"/_fake/charges/{intent['latest_charge']}")
    expect(charge["amount_refunded"] == 500, f"the fake's charge has {charge['amount_refunded']} refunded")
    before = shop.state(order_id)
    deliver(event("charge.refunded", charge))
    expect(shop.state(order_id) == before, "charge.refunded for the refund the service made counted it again")
    step("charge.refunded with amount_refunded 500 (that refund): 200, not counted twice")

    # A refund made in Stripe's dashboard: Stripe's API, not the service.
    dashboard = requests.post(f"{fake_url}/v1/refunds", headers={
        "Authorization": f"Bearer {SECRET_KEY}", "Idempotency-Key": f"dashboard-{uuid.uuid4()}"},
        data={"payment_intent": intent["id"], "amount": "300"}, timeout=10)
    expect(dashboard.status_code == 200, f"the dashboard refund: {dashboard.text[:200]}")
    charge = fake("GET", f"/_fake/charges/{intent['latest_charge']}")
    payload = event("charge.refunded", charge)
    deliver(payload)
    got = shop.get(order_id)
    expect(money(got["amount_refunded"]) == Decimal("8.00"), f"after the dashboard refund {got['amount_refunded']} refunded")
    refunds = shop.refunds(order_id)
    expect(len(refunds) == 2 and money(refunds[-1]["amount"]) == Decimal("3.00"), f"the refunds are {refunds}")
    expect(refunds[-1]["reason"] == "Refunded in Stripe", f"the dashboard refund's reason is {refunds[-1]['reason']!r}")
    expect(refunds[-1]["restock"] == [], f"the dashboard refund restocked {refunds[-1]['restock']}")
    step("charge.refunded with amount_refunded 800 (3.00 refunded in the dashboard): the 3.00 recorded, "
         "reason 'Refunded in Stripe', no restock")
    before = shop.state(order_id)
    deliver(payload)
    deliver(event("charge.refunded", charge))
    expect(shop.state(order_id) == before, "charge.refunded delivered again changed the order")
    step("the same charge.refunded again, and under another event id: nothing changes")

    count = len(stripe_requests())
    call("POST", f"/orders/{order_id}/refunds", shop.admin, 201,
         json={"amount": 0, "restock": [{"product_id": shop.saucer, "quantity": 1}]})
    expect(len(stripe_requests()) == count, "a refund of 0 (restock only) called Stripe")
    step("a refund of 0 with restock: 201, Stripe not called")

    cash = shop.order()["id"]
    call("POST", f"/orders/{cash}/payments", shop.admin, 201, json={"amount": 29.99, "method": "cash"})
    call("POST", f"/orders/{cash}/refunds", shop.admin, 201, json={"amount": 5.00})
    expect(len(stripe_requests()) == count, "a refund of an order paid in cash called Stripe")
    step("a refund of an order paid in cash: 201, Stripe not called")

    left = money(got["amount_paid"]) - money(got["amount_refunded"])
    call("POST", f"/orders/{order_id}/refunds", shop.admin, 201, json={"amount": float(left)})
    charge = fake("GET", f"/_fake/charges/{intent['latest_charge']}")
    expect(charge["amount_refunded"] == 2999 and charge["refunded"], f"Stripe's charge after the full refund: {charge}")
    deliver(event("charge.refunded", charge))
    got = shop.get(order_id)
    expect((got["payment_status"], money(got["amount_refunded"])) == ("refunded", Decimal("29.99")),
           f"after refunding the rest the order is {got['payment_status']}, {got['amount_refunded']} refunded")
    step(f"the remaining {left} refunded through Stripe, then its charge.refunded: refunded 29.99 once")


def a_retried_refund_refunds_once(shop):
    order_id = shop.order()["id"]
    intent = shop.paid_through_stripe(order_id)
    before = len(stripe_requests("/v1/refunds"))
    key = {"Idempotency-Key": f"desk-{uuid.uuid4().hex[:8]}"}
    first = call("POST", f"/orders/{order_id}/refunds", shop.admin, 201, json={"amount": 7.50}, headers=dict(key))
    again = call("POST", f"/orders/{order_id}/refunds", shop.admin, 201, json={"amount": 7.50}, headers=dict(key))
    expect(again.headers.get("Idempotent-Replayed") == "true" and body(again) == body(first),
           f"the retry was not the stored answer: {again.headers.get('Idempotent-Replayed')} {again.text[:200]}")
    charge = fake("GET", f"/_fake/charges/{intent['latest_charge']}")
    expect(charge["amount_refunded"] == 750, f"Stripe refunded {charge['amount_refunded']} for one refund of 7.50")
    made = stripe_requests("/v1/refunds")[before:]
    expect(all(request["status"] == 200 for request in made), f"Stripe refused a refund: {made}")
    expect(len(shop.refunds(order_id)) == 1 and money(shop.get(order_id)["amount_refunded"]) == Decimal("7.50"),
           "a retried refund was recorded twice")
    step(f"a refund of 7.50 retried with the same Idempotency-Key: the stored answer, Stripe refunded 750 once "
         f"({len(made)} call(s) to Stripe)")


def stripe_errors_are_502_and_record_nothing(shop):
    order_id = shop.order()["id"]
    before = shop.state(order_id)
    declined = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
    failures = {
        "a card_error": ({"status": 402, "error": declined}, "Your card was declined."),
        "an api_error": ({"status": 500, "error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}},
                         "Something went wrong on Stripe's end."),
        "a dropped connection": ({"drop": True}, None),
    }
    for what, (failure, message) in failures.items():
        fake("POST", "/_fake/fail", json={"path": "/v1/payment_intents", **failure})
        error = body(shop.checkout(order_id, status=502))
        expect(error.get("error") is True, f"checkout, {what}: 502 without the Error body")
        if message:
            expect(message in error.get("reason", ""),
                   f"checkout, {what}: the reason {error.get('reason')!r} lacks Stripe's message")
        expect(shop.state(order_id) == before, f"checkout, {what}: the order changed")
    step("checkout while Stripe answers a card_error, an api_error, or drops the connection: 502 with Stripe's "
         "message, nothing recorded")

    small = shop.order([(shop.sweet, 1)])["id"]
    error = body(shop.checkout(small, status=502))
    expect("Amount must be at least $0.50 usd" in error.get("reason", ""), f"checkout of 0.30: {error}")
    step("checkout of an order of 0.30: Stripe refuses amount_too_small, 502 with its message")

    shop.checkout(order_id)
    step("checkout once Stripe answers again: 201")

    paid = shop.order()["id"]
    shop.paid_through_stripe(paid)
    before = shop.state(paid)
    failures = {
        "an invalid_request_error": {"status": 400, "error": {
            "type": "invalid_request_error", "code": "charge_already_refunded",
            "message": "Charge ch_1 has already been refunded."}},
        "a dropped connection": {"drop": True},
    }
    for what, failure in failures.items():
        fake("POST", "/_fake/fail", json={"path": "/v1/refunds", **failure})
        error = body(call("POST", f"/orders/{paid}/refunds", shop.admin, 502, json={"amount": 5.00}))
        if "error" in failure:
            expect(failure["error"]["message"] in error.get("reason", ""), f"refund, {what}: the reason {error.get('reason')!r}")
        expect(shop.state(paid) == before, f"refund, {what}: the order changed")
    step("a refund while Stripe refuses it or drops the connection: 502, nothing recorded")


def main():
    shop = Shop()
    step(f"signed in as {os.environ['ADMIN_USERNAME']}; products, two customers; Stripe at {fake_url}")
    scenarios = [
        checkout_creates_a_payment_intent_as_stripe_documents,
        checkout_asks_for_the_balance_due,
        checkout_refuses_what_has_nothing_due,
        a_payment_is_recorded_once_per_payment_intent,
        bad_signatures_are_refused_and_change_nothing,
        events_the_shop_does_not_apply,
        refunds_go_through_stripe_and_are_counted_once,
        a_retried_refund_refunds_once,
        stripe_errors_are_502_and_record_nothing,
    ]
    failed = []
    for scenario in scenarios:
        name = scenario.__name__.replace("_", " ")
        step(f"== {name}")
        try:
            scenario(shop)
        except Mismatch as mismatch:
            failed.append(f"{name}: {mismatch}")
            print(f"stripe flow: MISMATCH in {name}: {mismatch}", file=sys.stderr, flush=True)
        except Exception:
            failed.append(f"{name}: {traceback.format_exc().strip().splitlines()[-1]}")
            traceback.print_exc()
    for failure in failed:
        print(f"stripe flow: FAILED {failure}", file=sys.stderr)
    print(f"stripe flow: {len(scenarios) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
