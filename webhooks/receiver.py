"""A webhook receiver on loopback for webhooks/check_flow.py: every delivery is verified with the
`standardwebhooks` package, the Standard Webhooks specification's reference library
(`Webhook(secret).verify(body, headers)`), never with a reading of the specification of our own.

    receiver = Receiver()                 # serves on 127.0.0.1, a port the system chooses
    receiver.url                          # http://127.0.0.1:PORT/hooks
    receiver.secrets.append(secret)       # each secret verifying a delivery is recorded
    receiver.answer([503, 503])           # the next two deliveries get 503, later ones 204
    receiver.failing = 503                # every delivery gets 503 until set back to None
    receiver.wait_for(lambda ds: …)       # the deliveries so far, once the condition holds

Each delivery is recorded with its webhook-id, event type, raw headers and body, the secrets that
verified it, and the status it was answered with; deliveries a check did not expect show up there.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Delivery:
    webhook_id: str | None
    event_type: str | None
    headers: dict[str, str]
    body: bytes
    verified_by: list[str]
    status: int
    path: str
    received_at: float = field(default_factory=time.time)

    @property
    def verified(self):
        return bool(self.verified_by)

    @property
    def answered_2xx(self):
        return 200 <= self.status < 300

    def json(self):
        return json.loads(self.body)


class Receiver:
    def __init__(self, secrets=()):
        self.secrets = list(secrets)
        self.deliveries: list[Delivery] = []
        self.failing: int | None = None
        self._planned: list[int] = []
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._record(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, statuses):
        """The statuses the next deliveries get, in order; after them, 204 (or `failing`)."""
        with self._lock:
            self._planned.extend(statuses)

    def verifying_secrets(self, headers, body):
        """The secrets among `self.secrets` under which the reference library accepts the delivery."""
        verified = []
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                verified.append(secret)
            except WebhookVerificationError:
                pass
        return verified

    def _record(self, path, headers, body):
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            event_type = json.loads(body).get("type")
        except (ValueError, AttributeError):
            event_type = None
        verified = self.verifying_secrets(headers, body)
        with self._lock:
            # A delivery nobody can verify is refused, as a real receiver would.
            if not verified:
                status = 401
            elif self._planned:
                status = self._planned.pop(0)
            else:
                status = self.failing or 204
            self.deliveries.append(Delivery(lowered.get("webhook-id"), event_type, lowered, body, verified, status, path))
            self._lock.notify_all()
        return status

    def snapshot(self):
        with self._lock:
            return list(self.deliveries)

    def wait_for(self, condition, timeout=20, what="the deliveries expected"):
        """The deliveries so far once `condition(deliveries)` holds; raises TimeoutError naming `what`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition(list(self.deliveries)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{what}: not seen within {timeout} s; received {self.summary()}")
                self._lock.wait(left)
            return list(self.deliveries)

    def summary(self):
        return [(d.event_type, d.webhook_id, d.status, len(d.verified_by)) for d in self.deliveries]
