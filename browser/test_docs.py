"""GET /docs in headless Chromium: one self-contained page (nothing requested from another host, no
console error or CSP violation, its style applied) on which every operation of /openapi.json is
found by its anchor, with its request body's fields, its examples as the document gives them, and no
empty list of alternatives."""

import json

from selenium.webdriver.common.by import By

from harness import load

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def resolve(document, value):
    """A `$ref` (`#/components/…`) read where it points; anything else as it is."""
    while isinstance(value, dict) and "$ref" in value:
        node = document
        for token in value["$ref"].removeprefix("#/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        value = node
    return value


def field_names(document, schema):
    """The names of a body's top-level fields, wherever the schema gives them: its own properties,
    those of its `$ref`, its `allOf` parts and its `oneOf`/`anyOf` alternatives."""
    schema = resolve(document, schema) or {}
    names = set(schema.get("properties", {}))
    for keyword in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(keyword, []):
            names |= field_names(document, part)
    return names


def examples(content):
    """A media type's example values: `example` and each of `examples`."""
    values = [content["example"]] if "example" in content else []
    return values + [example["value"] for example in content.get("examples", {}).values() if "value" in example]


def shown_examples(section, kind):
    """The examples on the page, as values: JSON parsed, other text as it is."""
    def value(text):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return [value(block.text) for block in section.find_elements(By.CSS_SELECTOR, f"pre.example.{kind}")]


def test_every_operation_is_on_the_page_with_its_body_and_examples(browser, base_url, fetch_json):
    document = fetch_json("/openapi.json")
    page = load(browser, base_url + "/docs")
    page.assert_clean()
    assert page.requests == [base_url + "/docs"], "the page loads nothing but itself"
    # The style was applied: the policy's hash matches the page's style element.
    assert browser.execute_script("return getComputedStyle(document.body).display") == "flex"

    operations = [(method, path, operation) for path, item in document["paths"].items()
                  for method, operation in item.items() if method in METHODS]
    assert len(operations) > 40
    with_bodies = 0
    for method, path, operation in operations:
        name = f"{method.upper()} {path}"
        section = browser.find_element(By.ID, operation["operationId"])
        assert section.tag_name == "section" and section.is_displayed(), name
        assert section.find_element(By.TAG_NAME, "h3").text == name
        assert browser.find_elements(By.CSS_SELECTOR, f'nav a[href="#{operation["operationId"]}"]'), f"{name} is in the navigation"

        body = resolve(document, operation.get("requestBody"))
        if not body:
            continue
        with_bodies += 1
        rows = {row.find_element(By.TAG_NAME, "td").text
                for row in section.find_elements(By.CSS_SELECTOR, "table.fields tbody tr")}
        for media_type, content in body["content"].items():
            missing = field_names(document, content["schema"]) - rows
            assert not missing, f"{name}: body fields not shown in place"
            documented = examples(content)
            assert documented, f"{name}: {media_type} has no request example in the document"
            shown = shown_examples(section, "request")
            assert all(value in shown for value in documented), f"{name}: the request examples"
        success = [resolve(document, response) for status, response in operation["responses"].items() if status.startswith("2")]
        documented = [value for response in success for content in response.get("content", {}).values() for value in examples(content)]
        assert documented, f"{name}: no success response example in the document"
        shown = shown_examples(section, "response")
        assert all(value in shown for value in documented), f"{name}: the success response examples"
    assert with_bodies >= 10


def test_no_list_of_alternatives_is_empty(browser, base_url):
    load(browser, base_url + "/docs").assert_clean()
    headings = [p for p in browser.find_elements(By.CSS_SELECTOR, "main p")
                if p.text.startswith(("Exactly one of", "At least one of"))]
    for heading in headings:
        assert heading.text in ("Exactly one of:", "At least one of:"), heading.text
        items = heading.find_elements(By.XPATH, "following-sibling::*[1][self::ul]/li")
        assert items, f"{heading.text} lists its alternatives"
        assert all(item.text.strip() for item in items), f"{heading.text} has an empty alternative"
    text = browser.find_element(By.TAG_NAME, "body").text
    for empty in ("of: ;", "of: \n", "Exactly one of: ;"):
        assert empty not in text
