"""Checks stripe/signatures.json against Stripe's official Python library (pinned in
stripe/requirements.txt), so the signatures the Swift tests rely on are Stripe's, not ours.

For every case: the library makes the same header for (payload, secret, timestamp);
`stripe.Webhook.construct_event` accepts it (with the age check off: the timestamps are fixed and
old) and reads the event's id and type from it; the library refuses it with its default 300-second
tolerance (the timestamp is old), a tampered payload, a wrong secret, a missing header, and a
header whose v1 signature is changed.

    .build-stripe-venv/bin/python stripe/check_signatures.py [signatures.json]

Exits non-zero naming every mismatch.
"""

import json
import pathlib
import sys

import stripe

DEFAULT = pathlib.Path(__file__).with_name("signatures.json")


def refuses(payload, header, secret, tolerance=0):
    """Whether the library refuses the delivery. A tolerance of 0 switches the age check off."""
    try:
        stripe.Webhook.construct_event(payload, header, secret, tolerance=tolerance)
    except stripe.SignatureVerificationError:
        return True
    return False


def problems_of(case):
    name, payload, secret, timestamp, header = (case["name"], case["payload"], case["secret"],
                                                case["timestamp"], case["header"])
    problems = []
    made = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    if made != header:
        problems.append(f"{name}: the library makes {made}, the file holds {header}")
    try:
        event = stripe.Webhook.construct_event(payload, header, secret, tolerance=0)
        expected = json.loads(payload)
        if (event.id, event.type) != (expected["id"], expected["type"]):
            problems.append(f"{name}: the library read the event as {event.id} {event.type}")
    except (stripe.SignatureVerificationError, ValueError) as error:
        problems.append(f"{name}: the library refuses the committed header: {error}")
    tampered = payload.replace('"usd"', '"eur"', 1)
    tampered = tampered if tampered != payload else payload + " "
    signature = header.split("v1=", 1)[1]
    flipped = header.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    refusals = {
        "a stale timestamp (default tolerance of 300 s)": (payload, header, secret, stripe.Webhook.DEFAULT_TOLERANCE),
        "a tampered payload": (tampered, header, secret, 0),
        "a wrong secret": (payload, header, secret + "x", 0),
        "a missing header": (payload, None, secret, 0),
        "a changed v1 signature": (payload, flipped, secret, 0),
    }
    for what, arguments in refusals.items():
        if not refuses(*arguments):
            problems.append(f"{name}: the library accepts {what}")
    return problems


def main():
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    cases = json.loads(path.read_text(encoding="utf-8"))
    names = {case["name"] for case in cases}
    problems = [] if len(cases) >= 3 else [f"{path}: only {len(cases)} cases"]
    if not any(any(ord(c) > 0xFFFF for c in case["payload"]) for case in cases):
        problems.append(f"{path}: no payload has characters beyond the Basic Multilingual Plane")
    for wanted in ("payment_intent.succeeded", "charge.refunded"):
        if not any(json.loads(case["payload"])["type"] == wanted for case in cases):
            problems.append(f"{path}: no {wanted} event")
    for case in cases:
        problems += problems_of(case)
    if problems:
        print(f"stripe signatures: {len(problems)} problems (stripe {stripe.VERSION}):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"stripe signatures: {len(cases)} cases ({', '.join(sorted(names))}) agree with stripe {stripe.VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
