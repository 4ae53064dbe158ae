"""The admin console used by keyboard alone and with JavaScript turned off, and its screenshots at
1,440 px and 390 px wide (written to SCREENSHOT_DIR; at 390 px nothing may spill sideways)."""

from urllib.parse import urlsplit

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from console_pages import SCREENSHOT_DIR, number, unique

# More Tab presses than any console page has stops.
MOST_TABS = 80


def press(driver, *keys) -> None:
    """Keys typed into whatever has the focus, as a person types them."""
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, matches, what: str):
    """Presses Tab until the focused element `matches`; checks it shows that it has the focus."""
    for _ in range(MOST_TABS):
        press(driver, Keys.TAB)
        focused = driver.switch_to.active_element
        if matches(focused):
            indicator = driver.execute_script(
                "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth, s.boxShadow]", focused)
            assert indicator[0] != "none" and indicator[1] != "0px" or indicator[2] != "none", f"{what} shows no focus: {indicator}"
            return focused
    raise AssertionError(f"Tab never reached {what}")


def by_id(element_id):
    return lambda element: element.get_attribute("id") == element_id


def links_to(path):
    return lambda element: element.tag_name == "a" and urlsplit(element.get_attribute("href") or "").path == path


def test_keyboard_alone_signs_in_and_creates_a_product(signed_out, admin, api):
    driver = signed_out.driver
    name = unique("Keyboard kettle")
    signed_out.open("/admin/sign-in")

    tab_to(driver, by_id("username"), "the username field")
    press(driver, admin[0], Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "password", "Tab goes from username to password"
    press(driver, admin[1])
    signed_in = signed_out.navigate(lambda: press(driver, Keys.ENTER))
    assert signed_in.statuses[-2:] == [303, 200] and signed_out.path == "/admin", signed_in.statuses

    tab_to(driver, links_to("/admin/products"), "the Products link")
    signed_out.navigate(lambda: press(driver, Keys.ENTER))
    assert signed_out.path == "/admin/products"
    tab_to(driver, by_id("new-product"), "the new product link")
    signed_out.navigate(lambda: press(driver, Keys.ENTER))
    assert signed_out.path == "/admin/products/new"

    for field, value in (("name", name), ("price", "8.25"), ("quantity", "12"), ("description", "Whistles"), ("sku", name.replace(" ", "-"))):
        tab_to(driver, by_id(field), f"the {field} field")
        press(driver, value)
    tab_to(driver, by_id("save"), "the Create product button")
    created = signed_out.navigate(lambda: press(driver, Keys.ENTER))

    assert created.statuses[-2:] == [303, 200], created.statuses
    assert signed_out.flash() == f"Product {name} created."
    [product] = api.products_named(name)
    assert (product["price"], product["quantity"], product["description"]) == (8.25, 12, "Whistles")
    assert signed_out.path == f"/admin/products/{product['id']}"


def test_without_javascript_signing_in_and_creating_a_product_work(console_without_javascript, admin, api):
    console = console_without_javascript
    console.driver.get("data:text/html,<title>off</title><script>document.title = 'on'</script>")
    assert console.driver.title == "off", "JavaScript is turned off"
    name = unique("Scriptless spoon")

    signed_in = console.sign_in(*admin)
    assert signed_in.statuses[-2:] == [303, 200] and console.path == "/admin", signed_in.statuses
    console.open("/admin/products/new").assert_clean()
    console.fill({"name": name, "price": "-1", "quantity": "3"})
    refused = console.submit("#save")
    assert refused.status == 400 and console.field_error("price"), "the server reports the field"
    console.fill({"price": "2.40"})
    created = console.submit("#save")

    assert created.statuses[-2:] == [303, 200], created.statuses
    assert console.flash() == f"Product {name} created."
    [product] = api.products_named(name)
    assert console.path == f"/admin/products/{product['id']}"
    assert number(console.text("#stock")) == 3
    console.fill({"adjust-delta": "2", "adjust-reason": "Delivery"})
    console.submit("#adjust-stock")
    assert number(console.text("#stock")) == 5 and api.product(product["id"])["quantity"] == 5


def shop_product(api, name, price, quantity, sku):
    """A product with a plain SKU for the pictures; on a database that has it already, a unique one."""
    product = api("POST", "/products", {"name": name, "price": price, "quantity": quantity, "sku": sku}, expect=(201, 409))
    return api.create_product(name=name, price=price, quantity=quantity, sku=unique(sku).replace(" ", "-")) if product.get("error") else product


def test_screenshots_at_1440_and_390_pixels(console, api, customer):
    """The dashboard, the product list, a product edit with an error and an order page, each at both
    widths: readable on a phone means nothing spills out sideways."""
    products = [shop_product(api, name, price, quantity, sku) for name, price, quantity, sku in (
        ("Stoneware mug", 14.5, 40, "MUG-STONE"), ("Linen tea towel", 9.0, 3, "TOWEL-LINEN"),
        ("Cast iron teapot", 49.99, 12, "POT-IRON"), ("Bamboo tray", 22.0, 0, "TRAY-BAMBOO"))]
    mug, towel, teapot = products[0], products[1], products[2]
    order = api.place_order(customer["user_id"], {mug["id"]: 2, teapot["id"]: 1})
    api("POST", f"/orders/{order['id']}/payments", {"amount": order["total_price"], "method": "card", "reference": "POS 4471"})
    api("POST", f"/orders/{order['id']}/fulfillments", {"items": [{"product_id": mug["id"], "quantity": 2}], "carrier": "DHL", "tracking_number": "JD0146"})
    api.place_order(customer["user_id"], {towel["id"]: 1})

    spills = {}
    console.open("/admin").assert_clean()
    spills["dashboard"] = console.shoot("dashboard")
    console.open("/admin/products").assert_clean()
    spills["products"] = console.shoot("products")
    console.open(f"/admin/products/{teapot['id']}")
    console.fill({"price": "49.999"})
    console.submit("#save")
    assert console.field_error("price")
    spills["product-edit-error"] = console.shoot("product-edit-error")
    console.open(f"/admin/orders/{order['id']}").assert_clean()
    spills["order"] = console.shoot("order")

    for name in spills:
        for width in (1440, 390):
            shot = SCREENSHOT_DIR / f"{name}-{width}.png"
            assert shot.stat().st_size > 5000, f"{shot} holds a picture"
    assert console.exists('meta[name="viewport"][content*="width=device-width"]'), "phones are told the page's width"
    assert {name: spill[1] for name, spill in spills.items() if spill[1] > 0} == {}, "pages wider than a 390 px window"
