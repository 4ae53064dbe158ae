"""What the flows that try the service from outside share (clients/flow.py, stripe/check_flow.py,
webhooks/check_flow.py): a failed expectation, step lines, and a response's JSON body."""


class Mismatch(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Mismatch(what)


def stepper(name):
    """A `step(text)` that prints one line under the flow's name."""
    def step(text):
        print(f"{name}: {text}", flush=True)
    return step


def body(response):
    try:
        return response.json()
    except ValueError:
        raise Mismatch(f"not JSON: {response.text[:300]!r}") from None
