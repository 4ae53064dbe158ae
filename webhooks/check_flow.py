"""Outgoing webhooks end to end, every delivery verified by the `standardwebhooks` package (the
Standard Webhooks reference library) in webhooks/receiver.py. Run by webhooks/run.sh:

    check_flow.py BINARY WORK_FOLDER

The script starts the servers itself (each in a folder of WORK_FOLDER, on a port the system
chooses, on the database named by DATABASE_URL), since some scenarios kill and restart them:
  - one without WEBHOOK_ALLOW_INSECURE: `http://` and loopback or private URLs are refused;
  - one with it (deliveries to the receiver on loopback) and a quick WEBHOOK_RETRY_SCHEDULE: an
    order and its event, a refused order sending nothing, retries, failure, manual retry, rotation,
    the test event;
  - one killed with SIGKILL while deliveries are pending, and started again on the same database;
  - on PostgreSQL only: two at once on one database, each event delivered once.
ADMIN_USERNAME / ADMIN_PASSWORD name the admin the servers create at start. Each scenario has an
endpoint and a receiver of its own (the endpoint is deleted at its end). The script prints one line
per step, the mismatches, then "N passed, M failed", and exits non-zero on any mismatch or when a
server logged an unexpected error.
"""

import atexit
import os
import re
import signal
import subprocess
import sys
import time
import traceback
import uuid
from contextlib import contextmanager

import requests

from receiver import Receiver

binary, work = sys.argv[1], sys.argv[2]
DATABASE_URL = os.environ["DATABASE_URL"]
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
# Quick retries: an attempt, then two more a second apart.
RETRY_SCHEDULE = "1,1"
http = requests.Session()


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from flow_checks import Mismatch, body, expect, stepper  # noqa: E402

step = stepper("webhooks flow")


# The servers.

class Server:
    """`ecommerce serve --port 0` in a folder of its own, with the environment less WEBHOOK_* plus `settings`."""

    every = []

    def __init__(self, name, **settings):
        self.folder = os.path.join(work, name)
        os.makedirs(self.folder, exist_ok=True)
        self.log = os.path.join(self.folder, "server.log")
        self.environment = {key: value for key, value in os.environ.items() if not key.startswith("WEBHOOK_")}
        self.environment.update(LOG_LEVEL="info", **settings)
        self.process = None
        self.base_url = None
        Server.every.append(self)
        # Whatever happens to the script, it leaves no server behind.
        atexit.register(self.stop)

    def start(self):
        """Started, or started again on the same database (the log goes on: this start's lines follow `offset`)."""
        offset = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        with open(self.log, "a") as log:
            self.process = subprocess.Popen([binary, "serve", "--port", "0"], cwd=self.folder, env=self.environment,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(self.log, errors="replace") as log:
                log.seek(offset)
                found = re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read())
            if found:
                self.base_url = f"http://127.0.0.1:{found.group(1)}"
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise Mismatch(f"the server {self.folder} did not start; its log ends: {self.tail()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=40)
        self.process = None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def tail(self, lines=40):
        with open(self.log, errors="replace") as log:
            return "".join(log.readlines()[-lines:])

    def unexpected_errors(self):
        with open(self.log, errors="replace") as log:
            return [line for line in log if "Unexpected error" in line]


class Client:
    """The service's API, as the admin."""

    def __init__(self, server):
        self.base_url = server.base_url
        self.token = body(self.call("POST", "/auth/login", status=200, json={
            "username": os.environ["ADMIN_USERNAME"], "password": os.environ["ADMIN_PASSWORD"]}))["token"]

    def call(self, method, path, status=None, **arguments):
        headers = arguments.pop("headers", {})
        if getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {self.token}"
        response = http.request(method, self.base_url + path, headers=headers, timeout=30, **arguments)
        if status is not None:
            expect(response.status_code == status,
                   f"{method} {path}: expected {status}, got {response.status_code}: {response.text[:400]}")
        return response

    def product(self, quantity=1000, name="Espresso cup"):
        return body(self.call("POST", "/products", 201, json={
            "name": f"{name} {uuid.uuid4().hex[:6]}", "price": 12.5, "quantity": quantity}))

    def customer(self):
        suffix = uuid.uuid4().hex[:8]
        return body(self.call("POST", "/users", 201, json={
            "name": "Ada", "email": f"ada-{suffix}@example.com", "phone": "+44 20 7946 0000"}))["id"]

    def order(self, user_id, product_id, quantity, status=201):
        return self.call("POST", "/orders", status, json={
            "user_id": user_id, "items": [{"product_id": product_id, "quantity": quantity}]})

    def deliveries(self, endpoint_id, status=None):
        query = {"limit": 200} | ({"status": status} if status else {})
        return body(self.call("GET", f"/webhooks/{endpoint_id}/deliveries", 200, params=query))


@contextmanager
def endpoint(client, events, name):
    """A receiver and an endpoint at it for `events`; the endpoint is deleted afterwards."""
    receiver = Receiver()
    created = body(client.call("POST", "/webhooks", 201, json={
        "url": f"{receiver.url}/{name}", "events": events, "description": name}))
    expect(created["url"] == f"{receiver.url}/{name}" and created["events"] == events and created["enabled"] is True,
           f"the endpoint as created: {created}")
    expect(re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", created.get("secret", "")), f"the secret: {created.get('secret')!r}")
    receiver.secrets.append(created["secret"])
    try:
        yield receiver, created
    finally:
        client.call("DELETE", f"/webhooks/{created['id']}")
        receiver.close()


def eventually(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Mismatch(f"{what}: not within {timeout} s")
        time.sleep(0.2)


def of_type(deliveries, event_type):
    return [delivery for delivery in deliveries if delivery.event_type == event_type]


def expect_delivery(delivery, event_type):
    """Verified by the reference library, with the headers the specification names."""
    headers = delivery.headers
    expect(delivery.verified, f"{event_type}: standardwebhooks did not verify the delivery: {headers}")
    expect(delivery.event_type == event_type, f"a {delivery.event_type} delivery, not {event_type}")
    expect(re.fullmatch(r"msg_[0-9a-f]{32}", delivery.webhook_id or ""), f"webhook-id {delivery.webhook_id!r}")
    expect(headers.get("content-type") == "application/json", f"Content-Type {headers.get('content-type')!r}")
    expect(headers.get("user-agent", "").startswith("ecommerce-webhooks/"), f"User-Agent {headers.get('user-agent')!r}")
    expect(abs(int(headers["webhook-timestamp"]) - delivery.received_at) < 10, f"webhook-timestamp {headers['webhook-timestamp']}")
    event = delivery.json()
    expect(set(event) == {"type", "timestamp", "data"}, f"the body's fields: {sorted(event)}")
    expect(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", event["timestamp"]), f"timestamp {event['timestamp']!r}")
    return event


# The scenarios.

def refused_destinations(_):
    """Without WEBHOOK_ALLOW_INSECURE: http://, loopback, localhost and private addresses are 400 naming `url`."""
    server = Server("secure").start()
    try:
        client = Client(server)
        for url in ["http://example.com/hooks", "https://127.0.0.1/hooks", "https://localhost/hooks",
                    "https://10.1.2.3/hooks", "https://[::1]/hooks", "http://127.0.0.1:9/hooks"]:
            error = body(client.call("POST", "/webhooks", 400, json={"url": url, "events": ["*"]}))
            expect(list(error.get("details", {})) == ["url"], f"{url}: details {error.get('details')}")
        expect(body(client.call("GET", "/webhooks", 200)) == [], "a refused registration left an endpoint")
        step("without WEBHOOK_ALLOW_INSECURE: http://, https://127.0.0.1/, https://localhost/, https://10.1.2.3/, "
             "https://[::1]/ refused, 400 naming url")
    finally:
        server.stop()


def an_order_and_its_event_and_a_refused_order_sending_nothing(client):
    with endpoint(client, ["*"], "orders") as (receiver, hook):
        product = client.product(quantity=2)
        user = client.customer()
        placed = body(client.order(user, product["id"], 2))
        error = body(client.order(user, product["id"], 1, status=409))
        expect(error.get("product_ids") == [product["id"]], f"the refused order: {error}")
        receiver.wait_for(lambda ds: of_type(ds, "order.placed") and of_type(ds, "product.out_of_stock"),
                          what="order.placed and product.out_of_stock")
        time.sleep(1.5)
        deliveries = receiver.snapshot()
        types = sorted(d.event_type for d in deliveries)
        # The order left no stock (2 → 0; 2 was already below LOW_STOCK_THRESHOLD, so no stock_low); the refused
        # order changed nothing, so it has no event.
        expect(types == ["order.placed", "product.created", "product.out_of_stock"], f"the events: {types}")
        event = expect_delivery(of_type(deliveries, "order.placed")[0], "order.placed")
        expect(event["data"] == placed, f"the order.placed data {event['data']} is not the POST /orders answer {placed}")
        created = expect_delivery(of_type(deliveries, "product.created")[0], "product.created")
        expect(created["data"]["id"] == product["id"] and created["data"]["quantity"] == 2, f"product.created: {created}")
        empty = expect_delivery(of_type(deliveries, "product.out_of_stock")[0], "product.out_of_stock")
        expect(empty["data"]["id"] == product["id"] and empty["data"]["quantity"] == 0, f"product.out_of_stock: {empty}")
        expect(len({d.webhook_id for d in deliveries}) == 3, "one webhook-id per event")
        eventually(lambda: [d["status"] for d in client.deliveries(hook["id"])] == ["delivered"] * 3,
                   "the three deliveries recorded as delivered")
    step("an endpoint for [\"*\"]: order.placed with data equal to the POST /orders answer, product.created and "
         "product.out_of_stock, each verified by standardwebhooks; the refused order (409) sent nothing")


def retries_then_success_with_the_same_id(client):
    with endpoint(client, ["product.created"], "retries") as (receiver, hook):
        receiver.answer([500, 302])
        client.product()
        attempts = receiver.wait_for(lambda ds: len(ds) >= 3, what="three attempts")
        time.sleep(1.5)
        attempts = receiver.snapshot()
        expect([d.status for d in attempts] == [500, 302, 204], f"the answers: {[d.status for d in attempts]}")
        expect(len({d.webhook_id for d in attempts}) == 1, f"the ids: {[d.webhook_id for d in attempts]}")
        for attempt in attempts:
            expect_delivery(attempt, "product.created")
        expect(len({d.headers["webhook-timestamp"] + d.headers["webhook-signature"] for d in attempts}) >= 2,
               "each attempt is signed anew")
        eventually(lambda: [(d["status"], d["attempts"], d["last_status_code"]) for d in client.deliveries(hook["id"])]
                   == [("delivered", 3, 204)], "the delivery recorded as delivered after 3 attempts")
    step("500, then 302 (not followed), then 204: three attempts with one webhook-id, each verified; delivered after 3")


def a_failing_receiver_ends_failed_and_a_manual_retry_sends_again(client):
    with endpoint(client, ["product.created"], "failing") as (receiver, hook):
        receiver.failing = 503
        client.product()
        eventually(lambda: client.deliveries(hook["id"], "failed"), "the delivery marked failed")
        failed = client.deliveries(hook["id"], "failed")
        expect(len(failed) == 1, f"failed deliveries: {failed}")
        attempts = receiver.snapshot()
        expect(len(attempts) == 3 and failed[0]["attempts"] == 3, f"attempts: {len(attempts)} received, {failed[0]}")
        expect(failed[0]["last_status_code"] == 503 and failed[0]["last_error"] and failed[0]["next_attempt_at"] is None,
               f"the failed delivery: {failed[0]}")
        expect(client.deliveries(hook["id"], "pending") == [], "a pending delivery beside the failed one")
        step("a receiver that always answers 503: 3 attempts (WEBHOOK_RETRY_SCHEDULE=1,1), then failed, "
             "last_status_code 503")

        receiver.failing = None
        client.call("POST", f"/webhooks/{hook['id']}/deliveries/{failed[0]['id']}/retry", 202)
        deliveries = receiver.wait_for(lambda ds: len(ds) >= 4, what="the retried delivery")
        expect_delivery(deliveries[3], "product.created")
        expect(deliveries[3].webhook_id == attempts[0].webhook_id and deliveries[3].status == 204,
               f"the retry: {deliveries[3].webhook_id} answered {deliveries[3].status}, first {attempts[0].webhook_id}")
        eventually(lambda: [d["status"] for d in client.deliveries(hook["id"])] == ["delivered"], "delivered after the retry")
        client.call("POST", f"/webhooks/{hook['id']}/deliveries/999999999/retry", 404)
        client.call("POST", f"/webhooks/999999999/deliveries/{failed[0]['id']}/retry", 404)
    step("POST …/retry on the failed delivery: 202, sent again with the same webhook-id, delivered; unknown ids 404")


def rotation_signs_with_both_secrets(client):
    with endpoint(client, ["product.created"], "rotation") as (receiver, hook):
        old = hook["secret"]
        rotated = body(client.call("POST", f"/webhooks/{hook['id']}/rotate-secret", 200))
        new = rotated.get("secret", "")
        expect(re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", new) and new != old, f"the new secret: {new!r}")
        expect(rotated["secret_hint"] == new[-4:], f"secret_hint {rotated['secret_hint']!r}")
        expect("secret" not in body(client.call("GET", f"/webhooks/{hook['id']}", 200)), "GET shows the secret")
        receiver.secrets.append(new)
        client.product()
        delivery = receiver.wait_for(lambda ds: ds, what="a delivery after the rotation")[0]
        expect_delivery(delivery, "product.created")
        expect(sorted(delivery.verified_by) == sorted([old, new]),
               f"verified by {len(delivery.verified_by)} of the 2 secrets: {delivery.headers['webhook-signature']}")
        expect(len(delivery.headers["webhook-signature"].split(" ")) == 2, "two signatures")
    step("rotate-secret: 200 with a new secret; the next delivery verifies with the new secret and with the old one")


def a_test_event(client):
    with endpoint(client, ["order.placed"], "test") as (receiver, hook):
        accepted = body(client.call("POST", f"/webhooks/{hook['id']}/test", 202))
        delivery = receiver.wait_for(lambda ds: ds, what="the webhook.test delivery")[0]
        event = expect_delivery(delivery, "webhook.test")
        expect(delivery.webhook_id == accepted["event_id"], f"webhook-id {delivery.webhook_id}, answer {accepted}")
        expect(event["data"] == body(client.call("GET", f"/webhooks/{hook['id']}", 200)), f"webhook.test data: {event['data']}")
        client.call("POST", "/webhooks/999999999/test", 404)
    step("POST /webhooks/{id}/test: 202 with the event id, a webhook.test delivery (to an endpoint not subscribed to "
         "it) whose data is the endpoint")


def pending_deliveries_survive_sigkill(_):
    # Retries 2 s apart, so that deliveries are still pending when the server is killed.
    server = Server("killed", WEBHOOK_ALLOW_INSECURE="true", WEBHOOK_RETRY_SCHEDULE="2,2,2,2,2,2,2,2,2,2").start()
    try:
        client = Client(server)
        with endpoint(client, ["order.placed"], "sigkill") as (receiver, hook):
            receiver.failing = 503
            product, user = client.product()["id"], client.customer()
            orders = [body(client.order(user, product, 1))["id"] for _ in range(3)]
            before = receiver.wait_for(lambda ds: len({d.webhook_id for d in ds}) == 3, what="a first attempt of each order")
            ids = {d.json()["data"]["id"]: d.webhook_id for d in before}
            expect(sorted(ids) == sorted(orders), f"the orders delivered: {sorted(ids)}, placed {orders}")
            pending = client.deliveries(hook["id"], "pending")
            expect(len(pending) == 3, f"pending before the kill: {pending}")
            server.kill()
            step(f"3 orders, their order.placed deliveries pending (answered 503); the server killed with SIGKILL")
            receiver.failing = None
            count = len(receiver.snapshot())
            server.start()
            client.base_url = server.base_url
            # A kill during an attempt leaves its lease, which runs out after 60 s.
            after = receiver.wait_for(lambda ds: {d.webhook_id for d in ds[count:] if d.answered_2xx} == set(ids.values()),
                                      timeout=90, what="the pending deliveries after the restart")
            for delivery in after[count:]:
                event = expect_delivery(delivery, "order.placed")
                expect(ids[event["data"]["id"]] == delivery.webhook_id, "a new webhook-id after the restart")
            eventually(lambda: [d["status"] for d in client.deliveries(hook["id"])] == ["delivered"] * 3,
                       "the three recorded as delivered")
        step("restarted on the same database: the 3 pending deliveries arrive, each with its webhook-id from before")
    finally:
        server.stop()


def two_instances_deliver_each_event_once(_):
    settings = {"WEBHOOK_ALLOW_INSECURE": "true", "WEBHOOK_RETRY_SCHEDULE": RETRY_SCHEDULE}
    first, second = Server("first", **settings).start(), Server("second", **settings).start()
    orders = 60
    try:
        clients = [Client(first), Client(second)]
        with endpoint(clients[0], ["order.placed"], "instances") as (receiver, hook):
            product, user = clients[0].product()["id"], clients[0].customer()
            placed = [body(clients[n % 2].order(user, product, 1))["id"] for n in range(orders)]
            receiver.wait_for(lambda ds: len({d.webhook_id for d in ds}) >= orders, timeout=60, what=f"{orders} events")
            time.sleep(2)
            deliveries = receiver.snapshot()
            per_id = {}
            for delivery in deliveries:
                expect_delivery(delivery, "order.placed")
                per_id.setdefault(delivery.webhook_id, []).append(delivery)
            expect(len(per_id) == orders, f"{len(per_id)} event ids for {orders} orders")
            repeated = {event_id: len(ds) for event_id, ds in per_id.items() if len(ds) > 1}
            expect(not repeated, f"events delivered more than once: {repeated}")
            expect(sorted(d.json()["data"]["id"] for d in deliveries) == sorted(placed), "the orders delivered")
            records = clients[0].deliveries(hook["id"])
            expect(len(records) == orders and all(d["status"] == "delivered" and d["attempts"] == 1 for d in records),
                   f"the deliveries recorded: {[(d['status'], d['attempts']) for d in records if d['attempts'] != 1][:5]}")
            sent = [delivered_by(server) for server in (first, second)]
            expect(sum(sent) == orders, f"the instances counted {sent} deliveries for {orders} events")
        step(f"two servers on one PostgreSQL database, {orders} orders placed on both: each of the {orders} events "
             f"delivered exactly once (the instances sent {sent[0]} and {sent[1]})")
    finally:
        first.stop()
        second.stop()


def delivered_by(server):
    metrics = http.get(server.base_url + "/metrics", timeout=10).text
    match = re.search(r'^ecommerce_webhook_deliveries_total\{result="delivered"\} (\d+)', metrics, re.M)
    return int(match.group(1)) if match else 0


def main():
    # A fresh schema: the servers below start on it, two at once on PostgreSQL.
    subprocess.run([binary, "migrate", "--revert", "--all"], check=True, capture_output=True, cwd=work)
    subprocess.run([binary, "migrate"], check=True, capture_output=True, cwd=work)
    failed = []

    def run(scenario, client=None):
        name = scenario.__name__.replace("_", " ")
        step(f"== {name}")
        started = time.monotonic()
        try:
            scenario(client)
            step(f"({time.monotonic() - started:.1f} s)")
        except (Mismatch, TimeoutError) as mismatch:
            failed.append(f"{name}: {mismatch}")
            print(f"webhooks flow: MISMATCH in {name}: {mismatch}", file=sys.stderr, flush=True)
        except Exception:
            failed.append(f"{name}: {traceback.format_exc().strip().splitlines()[-1]}")
            traceback.print_exc()

    scenarios = [refused_destinations]
    run(refused_destinations)
    server = Server("insecure", WEBHOOK_ALLOW_INSECURE="true", WEBHOOK_RETRY_SCHEDULE=RETRY_SCHEDULE).start()
    try:
        client = Client(server)
        step(f"a server with WEBHOOK_ALLOW_INSECURE=true, WEBHOOK_RETRY_SCHEDULE={RETRY_SCHEDULE} on {DATABASE_URL.split(':')[0]}")
        for scenario in [an_order_and_its_event_and_a_refused_order_sending_nothing, retries_then_success_with_the_same_id,
                         a_failing_receiver_ends_failed_and_a_manual_retry_sends_again, rotation_signs_with_both_secrets,
                         a_test_event]:
            scenarios.append(scenario)
            run(scenario, client)
    finally:
        server.stop()
    scenarios.append(pending_deliveries_survive_sigkill)
    run(pending_deliveries_survive_sigkill)
    if ON_POSTGRES:
        scenarios.append(two_instances_deliver_each_event_once)
        run(two_instances_deliver_each_event_once)
    else:
        step("two instances: PostgreSQL only (DATABASE_URL is not postgres://); not run")

    for server in Server.every:
        errors = server.unexpected_errors()
        if errors:
            failed.append(f"the server in {server.folder} logged unexpected errors: {errors[:3]}")
    for failure in failed:
        print(f"webhooks flow: FAILED {failure}", file=sys.stderr)
    if failed:
        for server in Server.every:
            print(f"webhooks flow: the end of {server.log}:\n{server.tail()}", file=sys.stderr)
    print(f"webhooks flow: {len(scenarios) - min(len(failed), len(scenarios))} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
