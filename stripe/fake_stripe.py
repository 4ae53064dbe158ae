"""A local stand-in for the part of Stripe's API the service calls, for stripe/check_flow.py.

    python stripe/fake_stripe.py [--port-file FILE]   # serves on 127.0.0.1, a port the system chooses

It prints `listening on 127.0.0.1:PORT` (and writes PORT to FILE) once it serves.

Stripe's side, as its API reference documents it:
- POST /v1/payment_intents (amount, currency, metadata[...], automatic_payment_methods[enabled],
  description) → a PaymentIntent; POST /v1/refunds (payment_intent, amount, optional reason and
  metadata[...]) → a Refund.
- Every request needs `Authorization: Bearer sk_test_…` (else 401), a form body
  (`Content-Type: application/x-www-form-urlencoded`) and, here, a non-empty `Idempotency-Key`; an
  unknown, missing, repeated or invalid parameter is 400. Errors have Stripe's body:
  {"error": {"type", "code", "message", "param"?}}.
- A repeated `Idempotency-Key` replays the first answer (with `Idempotent-Replayed: true`); the same
  key with other parameters or on another path is 400 `idempotency_error`.
- A PaymentIntent below 50 minor units is 400 `amount_too_small`, as Stripe answers for USD; a refund
  needs a succeeded PaymentIntent and at most what is left unrefunded.

Controls for the checking script, under /_fake/ (JSON):
- GET /_fake/requests: every request to /v1/ as {method, path, headers (lower-case names), form
  (pairs in order), status, response, replayed}; DELETE clears the list.
- POST /_fake/fail {"path", "status", "error": {...}} or {"path", "drop": true}: the next request to
  that path gets that error, or its connection closed without an answer (Stripe unreachable).
- POST /_fake/payment_intents/{id}/succeed: the customer paid: the PaymentIntent succeeds with a charge.
- GET /_fake/payment_intents/{id} and GET /_fake/charges/{id}: the objects as events carry them.
"""

import argparse
import itertools
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MINIMUM_AMOUNT = 50
KNOWN_PARAMETERS = {
    "/v1/payment_intents": {"amount", "currency", "automatic_payment_methods[enabled]", "description"},
    "/v1/refunds": {"payment_intent", "amount", "reason"},
}
REQUIRED_PARAMETERS = {
    "/v1/payment_intents": ("amount", "currency"),
    "/v1/refunds": ("payment_intent",),
}
REFUND_REASONS = {"duplicate", "fraudulent", "requested_by_customer"}


class StripeError(Exception):
    def __init__(self, status, error_type, message, code=None, param=None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {key: value for key, value in
                               {"type": error_type, "code": code, "message": message, "param": param}.items()
                               if value is not None}}


def invalid(message, code=None, param=None):
    return StripeError(400, "invalid_request_error", message, code, param)


class FakeStripe:
    """Stripe's state: PaymentIntents, charges, refunds, idempotent answers; and what was asked."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.payment_intents = {}
        self.charges = {}
        self.idempotent = {}
        self.failures = {}
        self.ids = itertools.count(1)

    def new_id(self, prefix):
        return f"{prefix}_3Fake{next(self.ids):06d}{int(time.time()):x}"

    # The API.

    def answer(self, path, headers, body):
        """(status, JSON body, replayed) for a request to /v1/."""
        authorization = headers.get("authorization", "")
        if not authorization:
            raise StripeError(401, "invalid_request_error",
                              "You did not provide an API key. You need to provide your API key in the "
                              "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
        if not re.fullmatch(r"Bearer sk_test_[A-Za-z0-9_]+", authorization):
            raise StripeError(401, "invalid_request_error", "Invalid API Key provided: " + authorization[:20] + "…",
                              code="api_key_invalid")
        if path not in KNOWN_PARAMETERS:
            raise StripeError(404, "invalid_request_error", f"Unrecognized request URL (POST: {path}).")
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise invalid(f"Invalid request: the body must be application/x-www-form-urlencoded, not '{media}'.")
        key = headers.get("idempotency-key", "")
        if not key.strip():
            raise invalid("This fake Stripe needs an Idempotency-Key header on every POST.", param="Idempotency-Key")
        try:
            form = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError):
            raise invalid("Invalid request: the form body could not be read.") from None
        previous = self.idempotent.get(key)
        if previous is not None:
            if previous["path"] != path or previous["form"] != form:
                raise StripeError(400, "idempotency_error",
                                  "Keys for idempotent requests can only be used with the same parameters they "
                                  f"were first used with. Try using a key other than '{key}' if you meant to "
                                  "execute a different request.")
            return previous["status"], previous["response"], True
        # A request refused while its parameters are checked leaves no answer to replay (as at Stripe,
        # which keeps an answer only once the endpoint started executing).
        response = self.perform(path, form)
        self.idempotent[key] = {"path": path, "form": form, "status": 200, "response": response}
        return 200, response, False

    def perform(self, path, form):
        names = [name for name, _ in form]
        for name in names:
            if name not in KNOWN_PARAMETERS[path] and not re.fullmatch(r"metadata\[[^\[\]]+\]", name):
                raise invalid(f"Received unknown parameter: {name}", code="parameter_unknown", param=name)
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise invalid(f"Received repeated parameter: {repeated[0]}", param=repeated[0])
        fields = dict(form)
        for name in REQUIRED_PARAMETERS[path]:
            if not fields.get(name):
                raise invalid(f"Missing required param: {name}.", code="parameter_missing", param=name)
        if path == "/v1/payment_intents":
            return self.create_payment_intent(fields)
        return self.create_refund(fields)

    @staticmethod
    def positive_integer(fields, name):
        text = fields[name]
        if not re.fullmatch(r"[1-9][0-9]{0,15}", text):
            raise invalid(f"Invalid positive integer: {text}", code="parameter_invalid_integer", param=name)
        return int(text)

    @staticmethod
    def metadata(fields):
        return {name[len("metadata["):-1]: value for name, value in fields.items() if name.startswith("metadata[")}

    def create_payment_intent(self, fields):
        amount = self.positive_integer(fields, "amount")
        currency = fields["currency"]
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise invalid(f"Invalid currency: {currency}. Stripe currencies are three lower-case letters.",
                          code="parameter_invalid_string", param="currency")
        enabled = fields.get("automatic_payment_methods[enabled]")
        if enabled not in (None, "true", "false"):
            raise invalid(f"Invalid boolean: {enabled}", param="automatic_payment_methods[enabled]")
        if amount < MINIMUM_AMOUNT:
            raise invalid(f"Amount must be at least $0.50 {currency}", code="amount_too_small", param="amount")
        identifier = self.new_id("pi")
        intent = {
            "id": identifier, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": 0, "automatic_payment_methods": {"enabled": enabled == "true"} if enabled else None,
            "capture_method": "automatic", "client_secret": f"{identifier}_secret_{next(self.ids):012d}",
            "confirmation_method": "automatic", "created": int(time.time()), "currency": currency,
            "description": fields.get("description"), "latest_charge": None, "livemode": False,
            "metadata": self.metadata(fields), "payment_method": None, "status": "requires_payment_method",
        }
        self.payment_intents[identifier] = intent
        return intent

    def create_refund(self, fields):
        identifier = fields["payment_intent"]
        intent = self.payment_intents.get(identifier)
        if intent is None:
            raise invalid(f"No such payment_intent: '{identifier}'", code="resource_missing", param="payment_intent")
        if intent["status"] != "succeeded":
            raise invalid(f"This PaymentIntent ({identifier}) does not have a successful charge to refund.",
                          code="charge_not_refundable", param="payment_intent")
        charge = self.charges[intent["latest_charge"]]
        left = charge["amount"] - charge["amount_refunded"]
        if left == 0:
            raise invalid(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
        amount = self.positive_integer(fields, "amount") if "amount" in fields else left
        if amount > left:
            raise invalid(f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                          code="amount_too_large", param="amount")
        reason = fields.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise invalid(f"Invalid reason: must be one of {', '.join(sorted(REFUND_REASONS))}", param="reason")
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return {
            "id": self.new_id("re"), "object": "refund", "amount": amount, "charge": charge["id"],
            "created": int(time.time()), "currency": charge["currency"], "metadata": self.metadata(fields),
            "payment_intent": identifier, "reason": reason, "status": "succeeded",
        }

    # The controls.

    def succeed(self, identifier):
        intent = self.payment_intents[identifier]
        if intent["status"] != "succeeded":
            charge_id = self.new_id("ch")
            intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=charge_id,
                          payment_method=self.new_id("pm"))
            self.charges[charge_id] = {
                "id": charge_id, "object": "charge", "amount": intent["amount"], "amount_captured": intent["amount"],
                "amount_refunded": 0, "captured": True, "currency": intent["currency"], "livemode": False,
                "metadata": intent["metadata"], "paid": True, "payment_intent": identifier, "refunded": False,
                "status": "succeeded",
            }
        return intent


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stripe: FakeStripe

    def log_message(self, format, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                chunk = self.rfile.read(size + 2)[:size]
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += chunk
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_json(self, status, value, extra=()):
        body = json.dumps(value, indent=2).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", f"req_fake{next(self.stripe.ids):08d}")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        stripe = self.stripe
        with stripe.lock:
            if self.path == "/_fake/requests":
                return self.send_json(200, stripe.requests)
            match = re.fullmatch(r"/_fake/(payment_intents|charges)/([A-Za-z0-9_]+)", self.path)
            objects = getattr(stripe, match.group(1)) if match else {}
            if match and match.group(2) in objects:
                return self.send_json(200, objects[match.group(2)])
        self.send_json(404, {"error": {"type": "invalid_request_error", "message": f"No such object: {self.path}"}})

    def do_DELETE(self):
        body = self.read_body()
        if self.path != "/_fake/requests" or body:
            return self.send_json(404, {"error": {"type": "invalid_request_error", "message": "unknown control"}})
        with self.stripe.lock:
            self.stripe.requests.clear()
        self.send_json(200, {"cleared": True})

    def do_POST(self):
        body = self.read_body()
        stripe = self.stripe
        if self.path.startswith("/_fake/"):
            return self.control(body)
        headers = {name.lower(): value for name, value in self.headers.items()}
        record = {"method": "POST", "path": self.path, "headers": headers, "body": body.decode("utf-8", "replace"),
                  "form": urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)}
        with stripe.lock:
            failure = stripe.failures.pop(self.path, None)
            if failure is not None:
                record.update(status=failure.get("status"), response=failure.get("error"), replayed=False,
                              dropped=bool(failure.get("drop")))
                stripe.requests.append(record)
                if failure.get("drop"):
                    self.close_connection = True
                    return
                return self.send_json(failure["status"], {"error": failure["error"]})
            try:
                status, response, replayed = stripe.answer(self.path, headers, body)
            except StripeError as error:
                status, response, replayed = error.status, error.body, False
            record.update(status=status, response=response, replayed=replayed, dropped=False)
            stripe.requests.append(record)
        extra = [("Idempotency-Key", headers["idempotency-key"])] if headers.get("idempotency-key") else []
        if replayed:
            extra.append(("Idempotent-Replayed", "true"))
        self.send_json(status, response, extra)

    def control(self, body):
        stripe = self.stripe
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            return self.send_json(400, {"error": {"type": "invalid_request_error", "message": "control body: JSON"}})
        with stripe.lock:
            if self.path == "/_fake/fail" and isinstance(value.get("path"), str):
                stripe.failures[value["path"]] = value
                return self.send_json(200, value)
            match = re.fullmatch(r"/_fake/payment_intents/([A-Za-z0-9_]+)/succeed", self.path)
            if match and match.group(1) in stripe.payment_intents:
                return self.send_json(200, stripe.succeed(match.group(1)))
        self.send_json(404, {"error": {"type": "invalid_request_error", "message": f"unknown control {self.path}"}})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", help="a file to write the port to once serving")
    arguments = parser.parse_args()
    Handler.stripe = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    if arguments.port_file:
        with open(arguments.port_file, "w") as file:
            file.write(f"{port}\n")
    print(f"listening on 127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
