@testable import App
import Foundation
import JSONSupport
import Testing

/// `/docs` as an integrator reads it: a request body's fields inline (through `$ref`s, `allOf` and
/// nested objects and arrays), the examples pretty-printed, every schema form in words (never an empty
/// "Exactly one of"), every value escaped. Each form is tried on a small document made for it, and the
/// real document is held to the same.
@Suite struct ReferencePageTests {
    /// One operation whose body reaches every way a field can be given.
    static let fields = """
    {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "tags": [{"name": "things"}],
     "paths": {"/things": {"post": {"tags": ["things"], "operationId": "createThing",
       "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}},
       "responses": {"201": {"description": "Made."}}}}},
     "components": {"schemas": {
       "Id": {"type": "integer", "minimum": 1},
       "Name": {"type": "string", "pattern": "^[^\\\\u0000-\\\\u001f]+$", "description": "A name <b>without</b> control characters."},
       "Line": {"type": "object", "required": ["product_id"], "properties": {
         "product_id": {"$ref": "#/components/schemas/Id"},
         "quantity": {"type": "integer", "minimum": 1, "maximum": 10000, "description": "How many."}}},
       "NewThing": {"type": "object", "required": ["name", "lines"], "properties": {
         "name": {"allOf": [{"$ref": "#/components/schemas/Name"}], "minLength": 1, "maxLength": 255},
         "lines": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"$ref": "#/components/schemas/Line"}},
         "note": {"type": ["string", "null"], "maxLength": 10, "format": "markdown"},
         "owner": {"type": "object", "required": ["id"], "properties": {"id": {"$ref": "#/components/schemas/Id"}}},
         "tags": {"type": "array", "uniqueItems": true, "items": {"type": "string", "enum": ["red", "blue"]}},
         "labels": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}}}
    """

    @Test func aRequestBodysFieldsAreShownInlineWithTheirConstraints() throws {
        let section = try Self.section("createThing", of: Self.page(Self.fields))
        let rows = Self.rows(of: section)
        #expect(rows["name"]?.contains("yes") == true, "name is required")
        #expect(rows["name"]?.contains("1–255 characters") == true, "the lengths beside allOf")
        #expect(rows["name"]?.contains("^[^\\u0000-\\u001f]+$") == true, "the referenced schema's pattern")
        #expect(rows["name"]?.contains("A name &lt;b&gt;without&lt;/b&gt; control characters.") == true, "its description, escaped")
        #expect(rows["name"]?.contains("href=\"#schema-Name\"") == true, "a link to the schema it comes from")
        #expect(rows["lines"]?.contains("1–100 items") == true)
        #expect(rows["lines"]?.contains("href=\"#schema-Line\"") == true, "an array of references names its items")
        #expect(rows["lines[].product_id"]?.contains("yes") == true, "an array's objects' fields, nested")
        #expect(rows["lines[].product_id"]?.contains("1 or more") == true, "through a reference")
        #expect(rows["lines[].quantity"]?.contains("1–10000") == true)
        #expect(rows["lines[].quantity"]?.contains("How many.") == true)
        #expect(rows["note"]?.contains("string or null") == true, "nullable through a type array")
        #expect(rows["note"]?.contains("format <code>markdown</code>") == true)
        #expect(rows["owner.id"]?.contains("yes") == true, "a nested object's fields")
        #expect(rows["tags"]?.contains("no duplicates") == true)
        #expect(rows["tags"]?.contains("<code>red</code>") == true, "the items' enum")
        #expect(rows["labels"]?.contains("each value array of string") == true, "a map's values")
    }

    /// Media-type examples, a single `example` or named `examples`, pretty-printed and escaped.
    @Test func examplesArePrettyPrintedAndEscaped() throws {
        let document = """
        {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "tags": [{"name": "things"}],
         "paths": {"/things": {"post": {"tags": ["things"], "operationId": "createThing",
           "requestBody": {"content": {"application/json": {"schema": {"type": "object"},
             "example": {"name": "<Ada & \\"Bob\\">", "lines": [{"product_id": 1, "quantity": 2}], "tags": [], "note": null}}}},
           "responses": {"201": {"description": "Made.", "content": {"application/json": {"schema": {"type": "object"},
             "examples": {"small": {"summary": "A small one", "value": {"id": 7, "price": 19.99}}}}}}}}}}}
        """
        let section = try Self.section("createThing", of: Self.page(document))
        let request = """
        {
          "lines": [
            {
              "product_id": 1,
              "quantity": 2
            }
          ],
          "name": "&lt;Ada &amp; \\"Bob\\"&gt;",
          "note": null,
          "tags": []
        }
        """
        #expect(section.contains("<pre class=\"example request\"><code>\(Self.quoted(request))</code></pre>"))
        #expect(section.contains("A small one"))
        let response = "{\n  \"id\": 7,\n  \"price\": 19.99\n}"
        #expect(section.contains("<pre class=\"example response\"><code>\(Self.quoted(response))</code></pre>"))
    }

    /// Every schema form the document may use reads as words: composition, negation, constants,
    /// enumerations, arrays of references and nullable types; no list or sentence is left empty.
    @Test func everySchemaFormIsRenderedInWords() throws {
        let document = """
        {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "tags": [], "paths": {},
         "components": {"schemas": {
           "A": {"type": "object", "properties": {"a": {"type": "string"}}},
           "B": {"type": "object", "properties": {"b": {"type": "integer"}}},
           "Choice": {"type": "object", "properties": {"items": {"type": "array"}, "product_ids": {"type": "array"}},
             "oneOf": [{"required": ["items"], "not": {"required": ["product_ids"]}}, {"required": ["product_ids"], "not": {"required": ["items"]}}]},
           "Either": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]},
           "Forms": {"anyOf": [{"type": "object", "required": ["x"], "properties": {"x": {"type": "integer", "maximum": 9}}},
                               {"type": "object", "required": ["y"], "properties": {"y": {"type": "boolean"}}}]},
           "Both": {"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "object", "required": ["c"], "properties": {"c": {"type": "number", "multipleOf": 0.01}}}]},
           "NotBlank": {"type": "string", "not": {"const": ""}},
           "NotAString": {"not": {"type": "string"}},
           "Version": {"const": 2},
           "Color": {"type": "string", "enum": ["red", "blue"]},
           "Refs": {"type": "array", "items": {"$ref": "#/components/schemas/A"}},
           "MaybeA": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]},
           "MaybeNumber": {"type": ["integer", "null"], "minimum": 0},
           "Anything": {"oneOf": [{}, {"type": "string"}]}}}}
        """
        let page = try Self.page(document)
        let choice = try Self.section("schema-Choice", of: page)
        #expect(choice.contains("Exactly one of"))
        #expect(choice.contains("with <code>items</code>, without <code>product_ids</code>"))
        #expect(choice.contains("with <code>product_ids</code>, without <code>items</code>"))
        let either = try Self.section("schema-Either", of: page)
        #expect(either.contains("<a href=\"#schema-A\">A</a> or <a href=\"#schema-B\">B</a>"))
        let forms = try Self.section("schema-Forms", of: page)
        #expect(forms.contains("At least one of"))
        #expect(Self.rows(of: forms)["x"]?.contains("at most 9") == true, "an inline alternative's fields")
        #expect(Self.rows(of: forms)["y"]?.contains("boolean") == true)
        let both = Self.rows(of: try Self.section("schema-Both", of: page))
        #expect(both["a"]?.contains("string") == true, "allOf's parts' fields together")
        #expect(both["c"]?.contains("in steps of 0.01") == true)
        #expect(try Self.section("schema-NotBlank", of: page).contains("never <code>&quot;&quot;</code>"))
        #expect(try Self.section("schema-NotAString", of: page).contains("not string"))
        #expect(try Self.section("schema-Version", of: page).contains("always <code>2</code>"))
        #expect(try Self.section("schema-Color", of: page).contains("one of <code>red</code>, <code>blue</code>"))
        #expect(try Self.section("schema-Refs", of: page).contains("array of <a href=\"#schema-A\">A</a>"))
        #expect(try Self.section("schema-MaybeA", of: page).contains("<a href=\"#schema-A\">A</a> or null"))
        #expect(try Self.section("schema-MaybeNumber", of: page).contains("integer or null, 0 or more"))
        #expect(try Self.section("schema-Anything", of: page).contains("any value or string"))
        Self.expectNothingEmpty(page)
    }

    /// The served document: every operation with a body shows that body's fields and its examples,
    /// and every schema reads as something.
    @Test func theDocumentsBodiesFieldsAndExamplesAreOnThePage() throws {
        let document = Contract.document
        let page = ReferencePage(document: document).html
        for item in document["paths"].object.values {
            for method in ContractTests.methods where !item[method].isNull {
                let operation = item[method]
                let id = operation["operationId"].string ?? "?"
                let section = try Self.section(id, of: page)
                let body = Contract.resolved(operation["requestBody"])
                guard !body.isNull else { continue }
                #expect(section.contains("<table class=\"fields\">"), "\(id) shows its body's fields")
                for media in body["content"].object.values where !media["example"].isNull || !media["examples"].isNull {
                    #expect(section.contains("<pre class=\"example request\">"), "\(id) shows its request example")
                }
            }
        }
        Self.expectNothingEmpty(page)
    }

    /// Every event the service sends is on the page, with its body's fields and example.
    @Test func everyWebhookEventIsOnThePage() throws {
        let document = Contract.document
        let page = ReferencePage(document: document).html
        let events = document["webhooks"].object
        #expect(events.count == WebhookEventType.allCases.count)
        for (name, item) in events {
            let id = try #require(item["post"]["operationId"].string, "\(name) has an operationId")
            let section = try Self.section(id, of: page)
            #expect(section.contains("<code>\(name)</code>"), "\(name) is named")
            #expect(section.contains("<table class=\"fields\">") && section.contains("<pre class=\"example request\">"), "\(name)'s body")
            #expect(page.contains("<a href=\"#\(id)\">\(name)</a>"), "\(name) is in the navigation")
        }
    }

    /// The page's policy allows its one inline style and nothing else, so a browser fetches nothing.
    @Test func thePageIsServedWithAPolicyThatAllowsOnlyItsOwnStyle() async throws {
        try await withApp { client in
            let response = try await client.anonymous.get("/docs")
            // The hash itself is checked by the browser test (browser/test_docs.py): a wrong one would
            // leave the page unstyled and log a violation.
            let policy = try #require(response.headers[.contentSecurityPolicy])
            #expect(policy.wholeMatch(of: /default-src 'none'; style-src 'sha256-[A-Za-z0-9+\/]{43}='; base-uri 'none'; form-action 'none'; frame-ancestors 'none'/) != nil, "\(policy)")
            #expect(response.body.components(separatedBy: "<style>").count == 2, "one style element")
            #expect(!response.body.contains("style=\""), "no style attributes")
        }
    }

    // MARK: Reading the page

    static func page(_ document: String) throws -> String {
        ReferencePage(document: try JSONValue(parsing: Array(document.utf8))).html
    }

    /// The `<section>` with this id.
    static func section(_ id: String, of page: String) throws -> String {
        let start = try #require(page.firstRange(of: "<section class=\"op\" id=\"\(id)\">") ?? page.firstRange(of: "id=\"\(id)\">"),
                                 "\(id) is on the page")
        let rest = page[start.lowerBound...]
        let end = try #require(rest.firstRange(of: "</section>"))
        return String(rest[..<end.upperBound])
    }

    /// The rows of a section's field tables by the field's name (its first cell's code).
    static func rows(of section: String) -> [String: String] {
        var rows: [String: String] = [:]
        for row in section.components(separatedBy: "<tr>").dropFirst() {
            guard let name = row.firstMatch(of: /^<td><code>([^<]*)<\/code>/)?.1 else { continue }
            rows[String(name)] = row.components(separatedBy: "</tr>")[0]
        }
        return rows
    }

    /// Text as the page escapes it.
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func expectNothingEmpty(_ page: String) {
        for empty in ["of: ;", "of: </p>", "<li></li>", "<li>; ", "<p>Exactly one of: </p>", " or </", "<code></code> or"] {
            #expect(!page.contains(empty), "nothing reads as empty: \(empty)")
        }
    }
}
