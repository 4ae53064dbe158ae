"""The service's main flow through the client that openapi-python-client generated from its document,
and nothing else: every request goes through the generated functions, every body through the
generated models, headers are read from the generated `Response`. Run by clients/run.sh:
    flow.py BASE_URL CLIENT_PARENT_DIR     # ADMIN_USERNAME and ADMIN_PASSWORD name an existing admin
Prints one line per step; exits non-zero at the first mismatch. Asserts statuses, models and values,
never the wording of a message.
"""

import os
import sys
import uuid
from decimal import Decimal
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

base_url, client_parent = sys.argv[1:3]
sys.path.insert(0, client_parent)

from ecommerce_client import AuthenticatedClient, Client  # noqa: E402
from ecommerce_client.api.auth import login, logout, me, register  # noqa: E402
from ecommerce_client.api.orders import cancel_order, get_order, place_order  # noqa: E402
from ecommerce_client.api.products import (  # noqa: E402
    create_product,
    get_product,
    list_products,
    list_stock_movements,
    set_stock,
)
from ecommerce_client.errors import UnexpectedStatus  # noqa: E402
from ecommerce_client.models import (  # noqa: E402
    Error,
    Login,
    Me,
    NewOrderWithItems,
    Order,
    OrderLineRequest,
    Product,
    ProductFields,
    Registration,
    SignIn,
    StockLevel,
    StockMovement,
)


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from flow_checks import Mismatch, expect, stepper  # noqa: E402

step = stepper("flow")


def answer(response, status, model):
    """The response's body parsed into the generated model documented for this status."""
    expect(
        response.status_code == status,
        f"expected {int(status)}, got {int(response.status_code)}: {response.content[:300]!r}",
    )
    expect(
        isinstance(response.parsed, model),
        f"{int(status)} parsed as {type(response.parsed).__name__}, not {model.__name__}",
    )
    return response.parsed


def refused(response, status):
    """A documented error status, parsed into the generated `Error` model."""
    error = answer(response, status, Error)
    expect(error.error is True, f"{int(status)}: `error` is {error.error!r}")
    expect(isinstance(error.reason, str) and error.reason.strip() != "", f"{int(status)}: no `reason`")
    return error


def value(field):
    """An enum member's wire value (the generator makes enums of `enum` strings)."""
    return getattr(field, "value", field)


def money(amount):
    return Decimal(str(amount))


def next_page(response):
    """The query of the `Link: <…>; rel="next"` header, or None on the last page."""
    link = response.headers.get("link")
    if link is None:
        return None
    target, _, relation = link.partition(";")
    expect(relation.strip() == 'rel="next"', f"Link header {link!r} is not rel=next")
    return {key: values[0] for key, values in parse_qs(urlsplit(target.strip().strip("<>")).query).items()}


def products(client, **filters):
    """Every product the filters match, page after page, following each page's `Link`."""
    found, pages = [], 0
    query = filters
    while True:
        response = list_products.sync_detailed(client=client, **query)
        page = answer(response, HTTPStatus.OK, list)
        expect(all(isinstance(item, Product) for item in page), "a listed item is not a Product")
        expect(len(page) <= filters["limit"], f"a page of {len(page)} items, above limit {filters['limit']}")
        found += page
        pages += 1
        link = next_page(response)
        if link is None:
            return found, pages
        expect(len(page) == filters["limit"], "a page short of the limit has a Link to a next page")
        # The link keeps the filters and moves the cursor.
        missing = {*filters, "after_id"} - link.keys()
        expect(not missing, f"the Link lacks {sorted(missing)}")
        query = {
            "q": link["q"],
            "min_price": float(link["min_price"]),
            "max_price": float(link["max_price"]),
            "in_stock": link["in_stock"] == "true",
            "limit": int(link["limit"]),
            "after_id": int(link["after_id"]),
        }
        kept = {key: query[key] for key in filters}
        expect(kept == filters, f"the Link changed the filters: {kept} instead of {filters}")
        expect(query["after_id"] == page[-1].id, "the Link's cursor is not the page's last id")


def flow(run):
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)

    admin_name, admin_password = os.environ["ADMIN_USERNAME"], os.environ["ADMIN_PASSWORD"]
    signed_in = answer(
        login.sync_detailed(client=anonymous, body=Login(username=admin_name, password=admin_password)),
        HTTPStatus.OK,
        SignIn,
    )
    expect(value(signed_in.account.role) == "admin", f"{admin_name} signed in as {value(signed_in.account.role)}")
    admin = AuthenticatedClient(base_url=base_url, token=signed_in.token, raise_on_unexpected_status=True)
    step(f"the admin signed in (account {signed_in.account.id})")

    username, email = f"flow-{run}", f"flow-{run}@example.com"
    registration = dict(name="Flow Customer", email=email, phone="+44 20 7946 0000", username=username)
    registered = answer(
        register.sync_detailed(client=anonymous, body=Registration(**registration, password="flow-password-1")),
        HTTPStatus.CREATED,
        SignIn,
    )
    expect(value(registered.account.role) == "customer", "a registration made a non-customer")
    expect(registered.user is not None and registered.user.email == email, "the registration's user is not ours")
    user_id = registered.user.id
    step(f"registered {username} (user {user_id})")

    refused(
        register.sync_detailed(client=anonymous, body=Registration(**registration, password="flow-password-2")),
        HTTPStatus.CONFLICT,
    )
    step("registering the same username and email again: 409 Error")

    invalid = refused(
        register.sync_detailed(
            client=anonymous,
            body=Registration(
                name="Other Customer",
                email=f"other-{run}@example.com",
                phone="12",
                username=f"other-{run}",
                password="flow-password-3",
            ),
        ),
        HTTPStatus.BAD_REQUEST,
    )
    details = invalid.to_dict().get("details") or {}
    expect("phone" in details, f"the 400 does not name phone: {details}")
    step("a registration with a 2-digit phone: 400 Error naming phone")

    signed_in = answer(
        login.sync_detailed(client=anonymous, body=Login(username=username, password="flow-password-1")),
        HTTPStatus.OK,
        SignIn,
    )
    customer = AuthenticatedClient(base_url=base_url, token=signed_in.token, raise_on_unexpected_status=True)
    myself = answer(me.sync_detailed(client=customer), HTTPStatus.OK, Me)
    expect(myself.user.id == user_id and myself.account.username == username, "GET /auth/me is someone else")
    step(f"{username} signed in; /auth/me is them")

    def new_product(name, price, quantity):
        body = ProductFields(name=f"{name} {run}", price=price, quantity=quantity, sku=f"FLOW-{name.upper()}-{run}")
        product = answer(create_product.sync_detailed(client=admin, body=body), HTTPStatus.CREATED, Product)
        expect(money(product.price) == money(price) and product.quantity == quantity, f"{name} stored as {product}")
        return product

    mug, pen, cup = new_product("Mug", 12.50, 10), new_product("Pen", 3.99, 5), new_product("Cup", 7.25, 4)
    lamp = new_product("Lamp", 15.00, 0)  # no stock
    new_product("Eraser", 0.99, 7)  # below min_price
    new_product("Frame", 45.00, 2)  # above max_price
    step(f"the admin created 6 products (mug {mug.id}, pen {pen.id}, cup {cup.id}, lamp {lamp.id}, …)")

    filters = {"q": run, "min_price": 1.0, "max_price": 20.0, "in_stock": True, "limit": 2}
    listed, pages = products(anonymous, **filters)
    expected = sorted(product.id for product in (mug, pen, cup))
    expect([product.id for product in listed] == expected, f"listed {[p.id for p in listed]}, not {expected}")
    expect(pages == 2, f"3 products in pages of 2 came in {pages} pages")
    step(f"listed the 3 in-stock products from 1.00 to 20.00 in {pages} pages, following the Link header")

    order_body = NewOrderWithItems(
        user_id=user_id,
        items=[OrderLineRequest(product_id=mug.id, quantity=2), OrderLineRequest(product_id=pen.id, quantity=3)],
    )
    key = f"flow-{run}"
    placed = answer(
        place_order.sync_detailed(client=customer, body=order_body, idempotency_key=key), HTTPStatus.CREATED, Order
    )
    lines = {line.product_id: line for line in placed.items}
    expect(sorted(lines) == sorted([mug.id, pen.id]), f"the order's lines are for {sorted(lines)}")
    for product, quantity in ((mug, 2), (pen, 3)):
        line = lines[product.id]
        expect(line.quantity == quantity and money(line.unit_price) == money(product.price), f"line {line}")
        expect(money(line.line_total) == money(product.price) * quantity, f"line total {line.line_total}")
    expect(
        money(placed.total_price) == Decimal("36.97"), f"total {placed.total_price}, not 36.97"
    )  # 2 × 12.50 + 3 × 3.99
    expect(value(placed.status) == "placed" and placed.user_id == user_id, f"order {placed}")
    step(f"placed order {placed.id} with two lines: total 36.97 computed by the server")

    replay = place_order.sync_detailed(client=customer, body=order_body, idempotency_key=key)
    expect(answer(replay, HTTPStatus.CREATED, Order).id == placed.id, "the replay placed a second order")
    expect(replay.headers.get("idempotent-replayed") == "true", "the replay has no Idempotent-Replayed: true")
    step("the same request with the same Idempotency-Key: the stored answer, Idempotent-Replayed: true")

    changed = NewOrderWithItems(user_id=user_id, items=[OrderLineRequest(product_id=mug.id, quantity=1)])
    refused(
        place_order.sync_detailed(client=customer, body=changed, idempotency_key=key),
        HTTPStatus.UNPROCESSABLE_ENTITY,
    )
    step("another body with the same Idempotency-Key: 422 Error")

    def stock(product):
        return answer(get_product.sync_detailed(client=anonymous, id=product.id), HTTPStatus.OK, Product).quantity

    expect((stock(mug), stock(pen)) == (8, 2), f"stock after the order: {stock(mug)}, {stock(pen)}")
    step("the order took the stock: mug 10 → 8, pen 5 → 2")

    read = answer(get_order.sync_detailed(client=customer, id=placed.id), HTTPStatus.OK, Order)
    expect(read.to_dict() == placed.to_dict(), "the order read back differs from the order placed")
    step(f"read order {placed.id} back")

    out_of_stock = refused(
        place_order.sync_detailed(
            client=customer,
            body=NewOrderWithItems(user_id=user_id, items=[OrderLineRequest(product_id=lamp.id, quantity=1)]),
        ),
        HTTPStatus.CONFLICT,
    )
    expect(out_of_stock.product_ids == [lamp.id], f"the 409 names {out_of_stock.product_ids}, not [{lamp.id}]")
    step("ordering the lamp without stock: 409 Error naming it in product_ids")

    cancelled = answer(cancel_order.sync_detailed(client=customer, id=placed.id), HTTPStatus.OK, Order)
    expect(value(cancelled.status) == "cancelled", f"cancelled order has status {value(cancelled.status)}")
    expect((stock(mug), stock(pen)) == (10, 5), f"stock after the cancel: {stock(mug)}, {stock(pen)}")
    step(f"cancelled order {placed.id}: the stock is back (mug 10, pen 5)")

    refused(cancel_order.sync_detailed(client=customer, id=placed.id), HTTPStatus.CONFLICT)
    step("cancelling it again: 409 Error")

    response = list_stock_movements.sync_detailed(client=admin, id=mug.id)
    movements = answer(response, HTTPStatus.OK, list)
    expect(all(isinstance(item, StockMovement) for item in movements), "a movement is not a StockMovement")
    expect(next_page(response) is None, "three movements came with a next page")
    seen = [(value(m.kind), m.delta, m.quantity_after, m.order_id or None) for m in movements]
    wanted = [("initial", 10, 10, None), ("order", -2, 8, placed.id), ("cancel", 2, 10, placed.id)]
    expect(seen == wanted, f"the mug's movements are {seen}, not {wanted}")
    step("the mug's stock movements: initial +10, order −2, cancel +2")

    refused(
        create_product.sync_detailed(client=customer, body=ProductFields(name=f"Nope {run}", price=1.0, quantity=1)),
        HTTPStatus.FORBIDDEN,
    )
    step("a customer creating a product: 403 Error")

    refused(get_product.sync_detailed(client=anonymous, id=lamp.id + 1_000_000), HTTPStatus.NOT_FOUND)
    step("a product that does not exist: 404 Error")

    stale = refused(
        set_stock.sync_detailed(client=admin, id=mug.id, body=StockLevel(quantity=20, expected_quantity=3)),
        HTTPStatus.PRECONDITION_FAILED,
    )
    expect(stale.current_quantity == 10, f"the 412 says the stock is {stale.current_quantity}, not 10")
    restocked = answer(
        set_stock.sync_detailed(client=admin, id=mug.id, body=StockLevel(quantity=20, expected_quantity=10)),
        HTTPStatus.OK,
        Product,
    )
    expect(restocked.quantity == 20, f"the stock was set to {restocked.quantity}, not 20")
    step("setting the stock expecting 3: 412 Error with current_quantity 10; expecting 10: set to 20")

    expect(logout.sync_detailed(client=customer).status_code == HTTPStatus.NO_CONTENT, "signing out failed")
    signed_out = me.sync_detailed(client=customer)
    refused(signed_out, HTTPStatus.UNAUTHORIZED)
    expect(signed_out.headers.get("www-authenticate") == "Bearer", "the 401 has no WWW-Authenticate: Bearer")
    step(f"{username} signed out; the old token: 401 Error with WWW-Authenticate: Bearer")


def main():
    try:
        flow(uuid.uuid4().hex[:8])
    except (Mismatch, UnexpectedStatus) as problem:
        print(f"flow: FAILED: {problem}", file=sys.stderr)
        sys.exit(1)
    print("flow: every step passed")


if __name__ == "__main__":
    main()
