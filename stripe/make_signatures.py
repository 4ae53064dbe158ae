"""Writes stripe/signatures.json: Stripe events signed by Stripe's own Python library.

Each case is {"name", "secret", "timestamp", "payload", "header"}: `payload` is the exact text of the
webhook body and `header` the `Stripe-Signature` that `stripe.WebhookSignature.generate_signature_header`
makes for it with `secret` at `timestamp`. The Swift tests check that the service's signer makes the
same header and that its verifier accepts it, so the signing they rely on is Stripe's;
stripe/check_signatures.py checks the committed file against the library in CI.

    .build-stripe-venv/bin/python stripe/make_signatures.py   # after stripe/run.sh made the venv

The timestamps are fixed, so the file changes only when a case does.
"""

import json
import pathlib
import sys

import stripe

OUTPUT = pathlib.Path(__file__).with_name("signatures.json")
SECRET = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH"
# 2026-11-26T09:30:00Z and the minutes after it: old, so only a verifier told to ignore the age accepts them.
TIMESTAMP = 1795685400


def event(event_id, event_type, created, data_object):
    """A Stripe event as its webhook delivers it (API version 2024-06-20 and later)."""
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": created,
        "data": {"object": data_object},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": "order-7-checkout-2999"},
        "type": event_type,
    }


def payment_intent(description=None):
    return {
        "id": "pi_3QxYqL2eZvKYlo2C0a1b2c3d",
        "object": "payment_intent",
        "amount": 2999,
        "amount_received": 2999,
        "automatic_payment_methods": {"enabled": True},
        "client_secret": "pi_3QxYqL2eZvKYlo2C0a1b2c3d_secret_F7sKk2LhQxT1",
        "currency": "usd",
        "description": description,
        "latest_charge": "ch_3QxYqL2eZvKYlo2C0e4f5g6h",
        "livemode": False,
        "metadata": {"order_id": "7"},
        "status": "succeeded",
    }


def charge():
    return {
        "id": "ch_3QxYqL2eZvKYlo2C0e4f5g6h",
        "object": "charge",
        "amount": 2999,
        "amount_captured": 2999,
        "amount_refunded": 500,
        "captured": True,
        "currency": "usd",
        "metadata": {"order_id": "7"},
        "paid": True,
        "payment_intent": "pi_3QxYqL2eZvKYlo2C0a1b2c3d",
        "refunded": False,
        "status": "succeeded",
    }


def cases():
    # Stripe sends its events pretty-printed, two spaces, characters beyond ASCII as they are (UTF-8).
    def text(value):
        return json.dumps(value, indent=2, ensure_ascii=False)

    payloads = [
        ("payment_intent.succeeded", text(event("evt_3QxYqL2eZvKYlo2C0s1t2u3v", "payment_intent.succeeded",
                                                TIMESTAMP, payment_intent()))),
        ("charge.refunded", text(event("evt_3QxYqL2eZvKYlo2C0w4x5y6z", "charge.refunded", TIMESTAMP + 60, charge()))),
        # Two-, three- and four-byte characters: the signature covers the body's UTF-8 bytes, not escapes.
        ("non-ASCII text", text(event("evt_3QxYqL2eZvKYlo2C0n0n4sc1", "payment_intent.succeeded", TIMESTAMP + 120,
                                      payment_intent("Café crème — 字 😀 for order 7")))),
        # The body byte for byte, whatever its layout: compact, as another sender might write it.
        ("compact payload", json.dumps(event("evt_3QxYqL2eZvKYlo2C0c0mp4ct", "payment_intent.succeeded",
                                             TIMESTAMP + 180, payment_intent()), separators=(",", ":"))),
    ]
    for index, (name, payload) in enumerate(payloads):
        timestamp = TIMESTAMP + 60 * index
        yield {
            "name": name,
            "secret": SECRET,
            "timestamp": timestamp,
            "payload": payload,
            "header": stripe.WebhookSignature.generate_signature_header(payload, SECRET, timestamp=timestamp),
        }


def main():
    OUTPUT.write_text(json.dumps(list(cases()), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} with stripe {stripe.VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
